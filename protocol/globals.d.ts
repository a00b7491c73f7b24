/**
 * The WHATWG URL parser, which every runtime tandem runs on provides (browsers, Node). protocol/
 * is type-checked with neither DOM nor Node types, so it declares the little of it that it uses;
 * the web and server projects see the full declarations of their own runtime instead (they never
 * include this file: they only import protocol's modules).
 */
declare class URL {
  constructor(url: string, base?: string)
  readonly protocol: string
  readonly host: string
}
