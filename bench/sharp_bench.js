// The sharp peer of `make bench`: one Node process over the whole corpus,
// the way a Node team writes it with sharp (libvips with its own prebuilt
// library; what AWS's Serverless Image Handler runs in Lambda).
//
//   node sharp_bench.js thumbnail --size 256 --quality 85 OUTDIR IMAGE...
//   node sharp_bench.js webp --quality 80 [--size 1024] OUTDIR IMAGE...
//   node sharp_bench.js watermark --logo PNG --scale 0.2 --opacity 0.5
//                       --margin 16 --quality 85 OUTDIR IMAGE...
//   node sharp_bench.js none OUTDIR          (start-up only: require sharp)
//
// Single-threaded: sharp.concurrency(1) here, UV_THREADPOOL_SIZE=1 from
// the caller (bench/measure.py), so libvips works on one thread. Images
// are turned upright by their EXIF orientation (.rotate(), as sharp's
// documentation advises) and written without metadata (sharp's default).
// Only the loop is timed, as for Pillow: Node's start-up and loading
// sharp are not counted.  Prints one JSON object:
// {"seconds": wall, "cpu": process CPU seconds, "failures": {stem: reason}}.
// Exits 0 even when some images fail (they are listed); 2 on bad usage.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const sharp = require('sharp');

sharp.concurrency(1);
sharp.cache(false);

function usage(msg) {
    process.stderr.write('sharp_bench: ' + msg + '\n');
    process.exit(2);
}

function parse(argv) {
    const a = { role: argv[0], size: 0, quality: 0, scale: 0.2, opacity: 0.5, margin: 16, rest: [] };
    for (let i = 1; i < argv.length; i++) {
        const k = argv[i];
        if (k.startsWith('--')) {
            const v = argv[++i];
            if (v === undefined) usage(k + ' needs a value');
            a[k.slice(2)] = k === '--logo' ? v : Number(v);
        } else {
            a.rest.push(k);
        }
    }
    if (!['thumbnail', 'webp', 'watermark', 'none'].includes(a.role)) usage('unknown role ' + a.role);
    if (a.rest.length < 1) usage('no OUTDIR');
    a.outdir = a.rest.shift();
    if (a.role !== 'none' && !a.quality) usage('--quality is required');
    if (a.role === 'thumbnail' && !a.size) usage('thumbnail needs --size');
    if (a.role === 'watermark' && !a.logo) usage('watermark needs --logo');
    return a;
}

const stem = (p) => path.basename(p, path.extname(p));

// The logo resized to a width of scale x the image's and faded to
// opacity, kept per image width (as Pillow's peer keeps it).
function logoMaker(a) {
    const cache = new Map();
    return async (width) => {
        if (!cache.has(width)) {
            const meta = await sharp(a.logo).metadata();
            const lw = Math.max(1, Math.round(a.scale * width));
            const lh = Math.max(1, Math.round(lw * meta.height / meta.width));
            const fade = Buffer.from([255, 255, 255, Math.round(255 * a.opacity)]);
            const buf = await sharp(a.logo).ensureAlpha().resize(lw, lh, { fit: 'fill' })
                .composite([{ input: fade, raw: { width: 1, height: 1, channels: 4 },
                              tile: true, blend: 'dest-in' }])
                .png().toBuffer();
            cache.set(width, { buf, lw, lh });
        }
        return cache.get(width);
    };
}

async function main() {
    const a = parse(process.argv.slice(2));
    fs.mkdirSync(a.outdir, { recursive: true });
    const logo = a.role === 'watermark' ? logoMaker(a) : null;
    const failures = {};
    const w0 = process.hrtime.bigint(), c0 = process.cpuUsage();
    for (const p of a.rest) {
        const out = path.join(a.outdir, stem(p));
        try {
            if (a.role === 'thumbnail') {
                await sharp(p).rotate().resize(a.size, a.size, { fit: 'inside', withoutEnlargement: true })
                    .jpeg({ quality: a.quality }).toFile(out + '.jpg');
            } else if (a.role === 'webp') {
                let s = sharp(p).rotate();
                if (a.size) s = s.resize(a.size, a.size, { fit: 'inside', withoutEnlargement: true });
                await s.webp({ quality: a.quality }).toFile(out + '.webp');
            } else if (a.role === 'watermark') {
                // laid on the image as stored (no rotation), like the Pillow and vips rows
                const meta = await sharp(p).metadata();
                const lg = await logo(meta.width);
                await sharp(p).composite([{ input: lg.buf, left: meta.width - lg.lw - a.margin,
                                            top: meta.height - lg.lh - a.margin }])
                    .jpeg({ quality: a.quality }).toFile(out + '.jpg');
            }
        } catch (e) {
            failures[stem(p)] = String(e.message || e).split('\n')[0];
        }
    }
    const wall = Number(process.hrtime.bigint() - w0) / 1e9;
    const c = process.cpuUsage(c0);
    process.stdout.write(JSON.stringify({ seconds: wall, cpu: (c.user + c.system) / 1e6, failures }) + '\n');
}

main().catch((e) => { process.stderr.write('sharp_bench: ' + e.stack + '\n'); process.exit(1); });
