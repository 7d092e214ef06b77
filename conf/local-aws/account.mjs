// Imported into fauxqs (node --import) when PRISM_AWS_ACCOUNT is set:
// fauxqs answers every request as one fixed account, with no setting
// for another.  This registers a module hook that loads
// fauxqs's own common/types.js with DEFAULT_ACCOUNT_ID set to
// PRISM_AWS_ACCOUNT instead, so the same emulator serves queue URLs,
// ARNs and STS GetCallerIdentity of another account: prism must find
// the account, never assume it (scripts/local-aws.sh).
import { register } from "node:module";

const account = process.env.PRISM_AWS_ACCOUNT;
if (account) {
    if (!/^\d{12}$/.test(account)) {
        throw new Error(`PRISM_AWS_ACCOUNT must be 12 digits, not "${account}"`);
    }
    register("./account-hooks.mjs", import.meta.url, { data: { account } });
}
