/**
 * IEEE OUIs (the first three bytes of a MAC) that each vendor's phones ship with, for guessing which
 * pack should answer an unknown MAC when the request carries no User-Agent (TFTP). Per-prefix
 * evidence, IEEE owners and source commits: src/vendors/facts/ouis.md. Source keys:
 *
 * - [F]    FusionPBX `device::get_vendor()` MAC-prefix switch
 * - [W]    Wazo provd plugins: DHCP `voip-mac-address-prefix` subclasses per vendor, and the Yealink
 *          plugin's `KNOWN_MAC_PREFIXES`
 * - [T]    Tancredi (NethVoice) `[macvendors]` in `tancredi.conf.sample`
 * - [I]    Issabel endpointconfig2 `mac_prefix` table
 * - [IEEE] IEEE MA-L registry (Debian ieee-data 2022-08-27, plus nmap's copy of 2026-02 for newer ones)
 *
 * Every entry is registered to the vendor (or its predecessor) and listed by a provisioning source,
 * unless marked UNCERTAIN. Prefixes are lower case, six hex digits, no separators.
 */

export type OuiVendor = 'yealink' | 'polycom' | 'cisco' | 'grandstream' | 'snom' | 'fanvil' | 'aastra';

export const OUIS: Readonly<Record<OuiVendor, readonly string[]>> = {
  // All eleven Yealink-registered OUIs [IEEE] are in [W]; the first two are in [F] and [T] too.
  yealink: [
    '001565', '805ec0', '805e0c', '249ad8', '44dbd2', 'c4fc22', '3497d7', '644f56', 'b061a9', 'ec1da9', 'f01653',
    'e434d7', // UNCERTAIN: [W] only, and not in the IEEE registry at all
  ],
  // Polycom / Poly [F, W, IEEE].
  polycom: [
    '0004f2', '64167f', '482567',
    '00907a', // UNCERTAIN: [F] only; registered to Spectralink (Polycom's wireless handsets), not a desk phone
  ],
  // Cisco has over a thousand OUIs; these are only the ones the sources attribute to IP phones. All are
  // registered to Cisco Systems, Cisco-Linksys or The Linksys Group [IEEE].
  cisco: [
    // [F] 'cisco'
    '001873', 'a44c11', '0021a0', '30e4db', '002155', '68efbd',
    // [W] cisco.conf (answered like its 3PCC / MPP classes), then SPA30x/50x (ciscosmb.conf)
    'd0ec35', '002699', '503de5', '00e16d', '00da55', '10bd18',
    // [I] 7821 / 8851 / 8865: models sold with MPP or Enterprise firmware
    '002790', '007686', '00b0e1', '3c410e', '50f722', 'cc5a53', 'd42c44', 'f87b20', 'f8b7e2',
    // [I] 79xx and other Enterprise (CUCM) phones: the pack doesn't serve them, but only Cisco owns these prefixes
    '00036b', '00070e', '0007eb', '000b5f', '000d29', '000ded', '000e38', '000f23', '001200', '001243',
    '00127f', '001319', '0013c3', '0014a9', '0015fa', '001646', '00170e', '001759', '001818', '001930',
    '0019aa', '0019e7', '001a6d', '001aa1', '001b53', '001c58', '001d70', '001da2', '001e4a', '001ef7',
    '002290', '002304', '002414', '00260b', '1ce6c7', '40f4ec', '58971e', '64a0e7', '64d989', 'b8621f',
    'c0626b', 'd0574c', 'd0c282', 'dc7b94', 'e80462',
    // [W] Linksys SPA phones and ATAs (linksys.conf); 000e08 also [F] 'linksys' and [I] 'Linksys/Sipura'
    '000c41', '000e08', '000f66', '001217', '001310', '0014bf', '0016b6', '001839', '0018f8', '001a70',
    '001c10', '001d7e', '001ee5', '002129', '00226b', '002369', '00259c', '20aa4b', '547c69', '586d8f',
    '687f74', '701f53', 'bc671c', 'c47295', 'd0c789',
    // UNCERTAIN: The Linksys Group; only [F], which calls them 'linksys' and names no phone model
    '00045a', '000625',
  ],
  // Grandstream [F, W, I, IEEE].
  grandstream: [
    '000b82', 'c074ad', 'ec74d7',
    '144cff', // UNCERTAIN: [IEEE] only (registered after 2022); no provisioning source lists it
  ],
  // snom technology GmbH [F, W, T, I, IEEE].
  snom: [
    '000413',
    '1c7126', // UNCERTAIN: [IEEE] only (registered after 2022); no provisioning source lists it
  ],
  // Fanvil [F, W, T, I, IEEE].
  fanvil: [
    '0c383e',
    '00a859', // UNCERTAIN: [W, T, I] all list it, but nobody has it in the IEEE registry
  ],
  // Aastra and Mitel SIP phones (67xx/68xx, Mitel 69xx) [F, W, I, IEEE]; 08000f is 'mitel' in [F].
  aastra: [
    '00085d', '1400e9', '08000f',
    '0010bc', // UNCERTAIN: [IEEE] only, registered to Aastra Telecom; no provisioning source lists it
  ],
};

const byPrefix = new Map<string, OuiVendor>();
for (const [vendor, prefixes] of Object.entries(OUIS) as [OuiVendor, readonly string[]][]) {
  for (const prefix of prefixes) {
    const other = byPrefix.get(prefix);
    if (other !== undefined) throw new Error(`OUI ${prefix} is listed for both ${other} and ${vendor}`);
    byPrefix.set(prefix, vendor);
  }
}

/** The vendor whose phones use `mac`'s OUI; `mac` is 12 lower-case hex digits. */
export function vendorOfMac(mac: string): string | undefined {
  return byPrefix.get(mac.slice(0, 6));
}
