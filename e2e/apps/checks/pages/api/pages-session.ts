import type { NextApiRequest, NextApiResponse } from "next";
import { auth } from "../../auth";

/** The Pages Router API-route form, `auth(req, res)`: the session, with the renewed cookie written to `res`. */
export default async function handler(req: NextApiRequest, res: NextApiResponse): Promise<void> {
  const session = await auth(req, res);
  res.status(200).json({ session });
}
