import { DOMParser, type Document, type Element } from '@xmldom/xmldom';

/** Parses XML strictly: any warning, error or fatal error throws. */
export function parseXml(text: string): Document {
  return new DOMParser({
    onError: (level: string, message: string) => {
      throw new Error(`XML ${level}: ${message}`);
    },
  }).parseFromString(text, 'text/xml');
}

/** Elements under `root` with this tag name, in document order. */
export const elements = (root: Document | Element, tag: string): Element[] => Array.from(root.getElementsByTagName(tag));
