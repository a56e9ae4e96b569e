import type { GetServerSideProps } from "next";
import { auth } from "../auth";

interface Props {
  name: string | null;
}

/** The `getServerSideProps` form, `auth(ctx)`. */
export const getServerSideProps: GetServerSideProps<Props> = async (context) => {
  const session = await auth(context);
  return { props: { name: session?.user?.name ?? null } };
};

export default function GetServerSidePropsPage({ name }: Props) {
  return <p data-testid="gssp-name">{name === null ? "Not signed in" : `Signed in as ${name}`}</p>;
}
