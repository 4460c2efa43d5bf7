// Capture–recapture over members' independent samples: how many infohashes the DHT holds, and so what
// share of it the community has seen. Each member's sightings are one "capture occasion"; an infohash
// seen by several members is a recapture. Two occasions: Chapman's form of Lincoln–Petersen (nearly
// unbiased when members sample alike). Three or more: Chao's bias-corrected incidence estimator
// (Chao2), a lower bound when some infohashes are much easier to see than others, as on the DHT,
// where a popular torrent sits on many nodes.

export type EstimateMethod = 'chapman' | 'chao2'

export interface PopulationEstimate {
  /** Capture occasions (members with a sample). */
  occasions: number
  /** Distinct items seen by any occasion. */
  observed: number
  /** Items seen by exactly one occasion, and by exactly two (f1, f2). */
  singletons: number
  doubletons: number
  /** The estimated population (≥ observed), rounded. */
  estimate: number
  /** observed / estimate, in [0, 1]. */
  coverage: number
  method: EstimateMethod
}

/**
 * Estimates from per-item incidence: `counts` holds, for each distinct item seen, how many of the
 * `occasions` saw it (1 ≤ count ≤ occasions). Undefined with fewer than two occasions or nothing seen.
 * For two occasions the counts alone are not enough: pass each occasion's size as `sizes`.
 */
export function estimatePopulation(
  counts: Iterable<number>,
  occasions: number,
  sizes?: readonly number[],
): PopulationEstimate | undefined {
  if (!Number.isSafeInteger(occasions) || occasions < 2) return undefined
  let observed = 0
  let f1 = 0
  let f2 = 0
  let allSaw = 0
  for (const c of counts) {
    if (!Number.isSafeInteger(c) || c < 1 || c > occasions)
      throw new RangeError(`incidence ${c} out of range`)
    observed++
    if (c === 1) f1++
    else if (c === 2) f2++
    if (c === occasions) allSaw++
  }
  if (observed === 0) return undefined
  let raw: number
  let method: EstimateMethod
  if (occasions === 2 && sizes && sizes.length === 2) {
    // Chapman: (n1 + 1)(n2 + 1) / (m + 1) − 1, with m the items both occasions saw.
    raw = ((sizes[0]! + 1) * (sizes[1]! + 1)) / (allSaw + 1) - 1
    method = 'chapman'
  } else {
    // Chao2, bias-corrected so that f2 = 0 stays finite.
    raw = observed + (((occasions - 1) / occasions) * f1 * (f1 - 1)) / (2 * (f2 + 1))
    method = 'chao2'
  }
  const estimate = Math.max(observed, Math.round(raw))
  return {
    occasions,
    observed,
    singletons: f1,
    doubletons: f2,
    estimate,
    coverage: observed / estimate,
    method,
  }
}

/** The same from each occasion's set of item keys (hex infohashes, say). */
export function estimateFromSets(sets: readonly ReadonlySet<string>[]): PopulationEstimate | undefined {
  const nonEmpty = sets.filter((s) => s.size > 0)
  const counts = new Map<string, number>()
  for (const s of nonEmpty) for (const k of s) counts.set(k, (counts.get(k) ?? 0) + 1)
  return estimatePopulation(
    counts.values(),
    nonEmpty.length,
    nonEmpty.map((s) => s.size),
  )
}
