// Next.js ships no "exports" map, so Node's ESM resolution (which this package type-checks
// with) only finds "next/headers.js". The bundler must see the bare "next/headers": Next
// aliases that specifier per layer (route handlers, server components), and the ".js"
// spelling escapes the alias. These declarations let the bare specifiers type-check.
declare module "next/headers" {
  export * from "next/headers.js";
}
declare module "next/navigation" {
  export * from "next/navigation.js";
}
declare module "next/server" {
  export * from "next/server.js";
}
