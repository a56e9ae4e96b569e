import type { NextConfig } from "next";

/** Next's defaults (`pg` is already external by default): the fixture shows latch across instances, not Next configuration. */
const nextConfig: NextConfig = {};

export default nextConfig;
