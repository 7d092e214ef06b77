// The peer consumer of `make bench-e2e`: one role written the way a team
// writes an S3 -> SNS -> SQS image worker today (what the reference
// pipeline's Lambda does): Node, AWS SDK v3, sharp.  One process:
//   ReceiveMessage (long poll, up to 10, as Lambda's SQS trigger batches)
//   -> per message, in turn: GetObject -> sharp -> PutObject -> DeleteMessage.
// sharp runs on one thread (sharp.concurrency(1); the caller sets
// UV_THREADPOOL_SIZE=1), as prism's plugins do.
//
// Environment: ROLE (thumbnail | webp | watermark), QUEUE_URL, OUT_BUCKET,
// OUT_PREFIX, LOGO (watermark), AWS_ENDPOINT, AWS_REGION and the keys,
// WAIT_SECONDS (the long poll, default 20).
// Prints one line per stored output:  stored <epoch ms> <original key> <output key>
// and one per failed message:          failed <original key or -> <reason>
// Exits on SIGTERM (the bench stops it once its outputs are stored).
'use strict';
const { SQSClient, ReceiveMessageCommand, DeleteMessageCommand } = require('@aws-sdk/client-sqs');
const { S3Client, GetObjectCommand, PutObjectCommand } = require('@aws-sdk/client-s3');
const sharp = require('sharp');

sharp.concurrency(1);
sharp.cache(false);

const env = (k) => {
    if (!process.env[k]) { process.stderr.write('e2e_consumer: ' + k + ' is not set\n'); process.exit(2); }
    return process.env[k];
};
const role = env('ROLE');
const queueUrl = env('QUEUE_URL');
const outBucket = env('OUT_BUCKET');
const outPrefix = process.env.OUT_PREFIX || '';
const endpoint = env('AWS_ENDPOINT');
const region = process.env.AWS_REGION || 'us-east-1';
const waitSeconds = Number(process.env.WAIT_SECONDS || 20);   // the long poll
const sqs = new SQSClient({ endpoint, region });
const s3 = new S3Client({ endpoint, region, forcePathStyle: true });
process.on('SIGTERM', () => process.exit(0));

// The watermark's logo, resized to 0.2 of the image's width and faded to
// 0.5, kept per width (what prism's watermark plugin does by default).
const logos = new Map();
async function logoFor(width) {
    if (!logos.has(width)) {
        const file = env('LOGO');
        const meta = await sharp(file).metadata();
        const lw = Math.max(1, Math.round(0.2 * width));
        const lh = Math.max(1, Math.round(lw * meta.height / meta.width));
        const fade = Buffer.from([255, 255, 255, 128]);
        const buf = await sharp(file).ensureAlpha().resize(lw, lh, { fit: 'fill' })
            .composite([{ input: fade, raw: { width: 1, height: 1, channels: 4 }, tile: true, blend: 'dest-in' }])
            .png().toBuffer();
        logos.set(width, { buf, lw, lh });
    }
    return logos.get(width);
}

// The role's work on one original: [output key suffix, content type, bytes].
async function work(input) {
    if (role === 'thumbnail') {
        return ['256.jpg', 'image/jpeg', await sharp(input).rotate()
            .resize(256, 256, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 85 }).toBuffer()];
    }
    if (role === 'webp') {
        return ['image.webp', 'image/webp', await sharp(input).rotate().webp({ quality: 80 }).toBuffer()];
    }
    if (role === 'watermark') {
        // turned upright first, as prism's watermark is laid on the upright image
        const { data, info } = await sharp(input).rotate().raw().toBuffer({ resolveWithObject: true });
        const lg = await logoFor(info.width);
        const raw = { width: info.width, height: info.height, channels: info.channels };
        const out = await sharp(data, { raw }).composite([{ input: lg.buf,
            left: info.width - lg.lw - 16, top: info.height - lg.lh - 16 }]).jpeg({ quality: 85 }).toBuffer();
        return ['watermarked.jpg', 'image/jpeg', out];
    }
    throw new Error('unknown ROLE ' + role);
}

async function handle(m) {
    let key = '-';
    try {
        const rec = JSON.parse(m.Body).Records[0].s3;
        key = decodeURIComponent(rec.object.key.replace(/\+/g, ' '));
        const got = await s3.send(new GetObjectCommand({ Bucket: rec.bucket.name, Key: key }));
        const input = Buffer.from(await got.Body.transformToByteArray());
        const [suffix, type, bytes] = await work(input);
        const out = outPrefix + key + '/' + role + '/' + suffix;
        await s3.send(new PutObjectCommand({ Bucket: outBucket, Key: out, Body: bytes, ContentType: type }));
        process.stdout.write('stored ' + Date.now() + ' ' + key + ' ' + out + '\n');
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    } catch (e) {
        // left on the queue: redelivered after its visibility timeout, as a Lambda failure is
        process.stdout.write('failed ' + key + ' ' + String(e.message || e).split('\n')[0] + '\n');
    }
}

async function main() {
    for (;;) {
        const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl,
            MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, VisibilityTimeout: 60 }));
        for (const m of r.Messages || []) {
            await handle(m);
        }
    }
}

main().catch((e) => { process.stderr.write('e2e_consumer: ' + (e.stack || e) + '\n'); process.exit(1); });
