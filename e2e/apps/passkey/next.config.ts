import type { NextConfig } from "next";

/** Next's defaults: the fixture checks latch's passkeys as an app gets them out of the box. */
const nextConfig: NextConfig = {};

export default nextConfig;
