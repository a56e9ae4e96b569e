import type { NextConfig } from "next";

/** Next's defaults: the fixture checks latch's Next.js layer, not Next configuration. */
const nextConfig: NextConfig = {};

export default nextConfig;
