import t from 'tap';
import { macsInCertificate } from '../../../src/vendors/device-certs.js';

t.test('each vendor names the MAC in its own field and form, and only there', async (t) => {
  t.same(macsInCertificate('yealink', { CN: 'yealink.com', serialNumber: 'ffffffff-ffff-ffff-fff0-001565000062' }, undefined), ['001565000062']);
  t.same(macsInCertificate('yealink', { CN: '001565000062' }, undefined), [], 'Yealink: not the CN');
  t.same(macsInCertificate('polycom', { CN: '0004F28B54F4', O: 'Polycom Inc.' }, undefined), ['0004f28b54f4'], 'upper case read as lower');
  t.same(macsInCertificate('polycom', { CN: '00:04:F2:8B:54:F4' }, undefined), [], 'no separators');
  t.same(macsInCertificate('cisco', { OU: 'CP-8841-3PCC', L: '88012BA01234', ST: '000e08abcdef' }, undefined), ['000e08abcdef']);
  t.same(macsInCertificate('cisco', { CN: 'CP-8841-SEP000E08ABCDEF' }, undefined), ['000e08abcdef'], 'the MIC form');
  t.same(macsInCertificate('cisco', { L: '000e08abcdef' }, undefined), [], 'not the serial number field');
  t.same(macsInCertificate('snom', { CN: ['000413922D24', '000413922D25'] }, undefined), ['000413922d24', '000413922d25'], 'a repeated attribute');
  t.same(macsInCertificate('polycom', { CN: '010000000001' }, undefined), [], 'a multicast address is no phone');
  t.same(macsInCertificate('nobody', { CN: '0004F28B54F4' }, undefined), [], 'an unknown vendor names nothing');
  t.same(macsInCertificate('polycom', { CN: 'x' }, 'DNS:0004f28b54f4'), [], 'no vendor reads the SAN');
});
