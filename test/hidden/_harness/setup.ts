// Same submission, same grade: fast-check draws its cases from a fixed seed.
import fc from "fast-check";

fc.configureGlobal({ seed: Number(process.env.QUEUECRAFT_SEED ?? 42) });
