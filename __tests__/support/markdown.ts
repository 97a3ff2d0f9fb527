// Assertions on rendered Markdown, shared by the report's unit and end-to-end tests.

/** Every row of every Markdown table has its header's number of cells: nothing closed or added a cell. */
export function expectIntactTables(text: string): void {
  let columns = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      columns = 0
      continue
    }
    const cells = line.split('|').length
    if (columns === 0) columns = cells
    expect(cells).toBe(columns)
  }
}
