/**
 * Newznab/Torznab category ids as Prowlarr, Jackett, Sonarr and Radarr use them (the Newznab API
 * "predefined categories" table). Only the ones the classifier can produce are listed; caps
 * advertises exactly these.
 */
export const CATEGORIES = [
  {
    id: 2000,
    name: 'Movies',
    subcats: [
      { id: 2030, name: 'Movies/SD' },
      { id: 2040, name: 'Movies/HD' },
      { id: 2045, name: 'Movies/UHD' },
    ],
  },
  {
    id: 3000,
    name: 'Audio',
    subcats: [
      { id: 3010, name: 'Audio/MP3' },
      { id: 3030, name: 'Audio/Audiobook' },
      { id: 3040, name: 'Audio/Lossless' },
    ],
  },
  {
    id: 4000,
    name: 'PC',
    subcats: [
      { id: 4020, name: 'PC/ISO' },
      { id: 4030, name: 'PC/Mac' },
      { id: 4070, name: 'PC/Mobile-Android' },
    ],
  },
  {
    id: 5000,
    name: 'TV',
    subcats: [
      { id: 5030, name: 'TV/SD' },
      { id: 5040, name: 'TV/HD' },
      { id: 5045, name: 'TV/UHD' },
    ],
  },
  {
    id: 7000,
    name: 'Books',
    subcats: [
      { id: 7020, name: 'Books/EBook' },
      { id: 7030, name: 'Books/Comics' },
    ],
  },
  { id: 8000, name: 'Other', subcats: [{ id: 8010, name: 'Other/Misc' }] },
] as const

export type CategoryId =
  (typeof CATEGORIES)[number]['id'] | (typeof CATEGORIES)[number]['subcats'][number]['id']

/** The parent of a subcategory (5040 -> 5000); a parent is its own parent. */
export function parentCategory(id: number): number {
  return Math.floor(id / 1000) * 1000
}

/** Every id the classifier can produce, parents and subcategories. */
export const KNOWN_CATEGORY_IDS: ReadonlySet<number> = new Set(
  CATEGORIES.flatMap((c) => [c.id, ...c.subcats.map((s) => s.id)]),
)
