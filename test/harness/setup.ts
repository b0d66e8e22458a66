// Same submission, same grade: the setup of every grading run (fast-check's
// seed), re-exported here as the student edition ships it (see candidate.ts).
import "../hidden/_harness/setup.ts";
