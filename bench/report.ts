/** The shape every benchmark module returns; bench/run.ts renders these into bench/RESULTS.md. */

export interface Target {
  name: string
  met: boolean
  detail: string
}

export interface BenchSection {
  id: string
  title: string
  description: string
  headers: string[]
  rows: string[][]
  targets: Target[]
  notes?: string[]
}
