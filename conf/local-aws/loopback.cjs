// Preloaded into the local AWS emulator: it hard-codes listen("0.0.0.0"),
// and prism's tests and demo must listen on loopback only.  Every
// listen() that names an all-interfaces host is rewritten to 127.0.0.1.
"use strict";
const net = require("node:net");
const ANY = new Set(["0.0.0.0", "::", undefined, null, ""]);
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
    if (args.length && typeof args[0] === "object" && args[0] !== null) {
        if (ANY.has(args[0].host)) args[0] = { ...args[0], host: "127.0.0.1" };
    } else if (typeof args[0] === "number" || typeof args[0] === "string") {
        if (typeof args[1] !== "string" || ANY.has(args[1])) {
            const rest = typeof args[1] === "string" ? args.slice(2) : args.slice(1);
            args = [args[0], "127.0.0.1", ...rest];
        }
    }
    return listen.apply(this, args);
};
