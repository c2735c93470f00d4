import { parse } from 'yaml'
test('runs on Node 24 with ESM', () => {
  expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24)
  expect(parse('a: 1')).toEqual({ a: 1 })
})
