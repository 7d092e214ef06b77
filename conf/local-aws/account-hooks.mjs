// Module hooks for account.mjs: fauxqs's dist/common/types.js is loaded
// with its DEFAULT_ACCOUNT_ID replaced; every other module as it is.  A
// fauxqs whose types.js no longer has that line fails to start, loudly.
let account;

export function initialize(data) {
    account = data.account;
}

export async function load(url, context, nextLoad) {
    const loaded = await nextLoad(url, context);
    if (!url.endsWith("/fauxqs/dist/common/types.js")) {
        return loaded;
    }
    const constant = /export const DEFAULT_ACCOUNT_ID = "\d{12}";/;
    const source = String(loaded.source);
    if (!constant.test(source)) {
        throw new Error(`${url}: no DEFAULT_ACCOUNT_ID constant to set the account in`);
    }
    return { ...loaded, source: source.replace(constant, `export const DEFAULT_ACCOUNT_ID = "${account}";`) };
}
