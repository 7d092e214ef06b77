// Preloaded into the local AWS emulators: a stop (SIGTERM, SIGINT) ends
// the process between two turns of its event loop, never inside one.
// fauxqs persists an S3 object as two files (data, then .meta.json)
// written synchronously within one turn; the signals' default action
// could end it between the two, leaving an empty .meta.json on which its
// next start fails.  Exit status 0: a stop asked for is not a failure.
"use strict";
for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => process.exit(0));
}
