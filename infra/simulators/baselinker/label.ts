/** Label files the simulator hands out: a one-page PDF (valid xref, opens in any viewer) or a ZPL script. */

/** PDF text strings: ASCII only (the base-14 fonts have no Polish letters), with (, ) and \ escaped. */
function pdfText(s: string): string {
  return s
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .normalize('NFD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/[\\()]/g, (c) => `\\${c}`);
}

export function labelPdf(lines: string[]): Buffer {
  // 100 x 150 mm, the usual courier label size, in points.
  const content = [
    'BT',
    '/F1 14 Tf',
    '20 390 Td',
    '18 TL',
    ...lines.map((l, i) => `${i === 0 ? '' : 'T* '}(${pdfText(l)}) Tj`),
    'ET',
    '4 w 20 40 m 263 40 l S',
  ].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 283 425] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

export function labelZpl(lines: string[]): Buffer {
  const body = lines.map((l, i) => `^FO40,${40 + i * 50}^A0N,36,36^FD${l.replace(/[\^~]/g, ' ')}^FS`).join('\n');
  return Buffer.from(`^XA\n^CI28\n${body}\n^XZ\n`, 'utf8');
}
