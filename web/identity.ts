/**
 * Who you are to the people you edit with: a friendly generated name and a colour, kept in
 * localStorage so that you stay the same person across reloads and documents, and editable
 * because "Curious Otter" is fun only for so long.
 */
export interface Identity {
  /** Stable per browser: several tabs of one person show as one avatar. */
  id: string
  name: string
  /** `#rrggbb`: carets append an alpha channel for selections. */
  color: string
}

export const IDENTITY_KEY = 'tandem:identity'
export const MAX_NAME_LENGTH = 40

/** Dark enough for white label text, distinct enough to tell carets apart. */
export const PALETTE = [
  '#d9480f',
  '#c2255c',
  '#9c36b5',
  '#6741d9',
  '#3b5bdb',
  '#1971c2',
  '#0c8599',
  '#087f5b',
  '#2b8a3e',
  '#5c940d',
  '#e67700',
  '#a61e4d',
] as const

const ADJECTIVES = [
  'Agile',
  'Bold',
  'Brave',
  'Bright',
  'Calm',
  'Clever',
  'Curious',
  'Daring',
  'Eager',
  'Gentle',
  'Happy',
  'Jolly',
  'Keen',
  'Kind',
  'Lively',
  'Lucky',
  'Merry',
  'Nimble',
  'Quick',
  'Quiet',
  'Sharp',
  'Sunny',
  'Swift',
  'Witty',
]
const ANIMALS = [
  'Badger',
  'Beaver',
  'Crane',
  'Dolphin',
  'Falcon',
  'Fox',
  'Gecko',
  'Heron',
  'Ibis',
  'Koala',
  'Lynx',
  'Marten',
  'Narwhal',
  'Otter',
  'Owl',
  'Panda',
  'Puffin',
  'Quokka',
  'Raven',
  'Seal',
  'Sparrow',
  'Tiger',
  'Walrus',
  'Wombat',
]

type Random = () => number

function pick<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random() * items.length) % items.length] as T
}

export function generateIdentity(random: Random = Math.random): Identity {
  const id = Array.from({ length: 16 }, () => Math.floor(random() * 16).toString(16)).join('')
  return { id, name: `${pick(ADJECTIVES, random)} ${pick(ANIMALS, random)}`, color: pick(PALETTE, random) }
}

export function isHexColor(value: unknown): value is string {
  return typeof value === 'string' && /^#[0-9a-f]{6}$/i.test(value)
}

/** A display name as typed: trimmed, single spaces, bounded; null when nothing is left. */
export function cleanName(value: string): string | null {
  const name = value.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME_LENGTH)
  return name === '' ? null : name
}

function parse(raw: string | null): Identity | null {
  if (raw === null) return null
  try {
    const value = JSON.parse(raw) as Partial<Identity>
    if (typeof value.id !== 'string' || value.id === '' || typeof value.name !== 'string') return null
    const name = cleanName(value.name)
    if (name === null || !isHexColor(value.color)) return null
    return { id: value.id, name, color: value.color }
  } catch {
    return null
  }
}

/** The stored identity, or a new one (stored at once, so every tab agrees on it). */
export function loadIdentity(storage: Storage, random: Random = Math.random): Identity {
  const stored = parse(storage.getItem(IDENTITY_KEY))
  if (stored !== null) return stored
  const identity = generateIdentity(random)
  saveIdentity(storage, identity)
  return identity
}

export function saveIdentity(storage: Storage, identity: Identity): void {
  storage.setItem(IDENTITY_KEY, JSON.stringify(identity))
}

/** Reads an identity another tab just wrote (the `storage` event), ignoring anything invalid. */
export function parseIdentity(raw: string | null): Identity | null {
  return parse(raw)
}

export function initials(name: string): string {
  const words = name.split(' ').filter((word) => word !== '')
  const letters = words.length >= 2 ? [words[0], words[words.length - 1]] : [name]
  return letters
    .map((word) => Array.from(word ?? '')[0] ?? '')
    .join('')
    .toUpperCase()
}
