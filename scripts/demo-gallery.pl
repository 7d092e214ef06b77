#!/usr/bin/perl
# demo-gallery.pl — the client side of `make demo`, run by scripts/demo.sh
# against a stack started with scripts/stack.sh (its settings in the
# environment, from `scripts/stack.sh env`):
#
#   1. uploads every photo of --images with curl, in turn: raw PUT,
#      multipart form, raw POST, multipart form, ...;
#   2. waits (at most --timeout seconds, with progress lines) until
#      prism-host has stored every derivative its routes make, failing at
#      once when one is dead-lettered;
#   3. downloads the originals and derivatives with `prism-aws s3 get`
#      into --out, checks each one's type and dimensions from its header
#      and each original's SHA-256, each image's record (nginx's
#      GET /images/ID: every route "ok") and the completion events (one
#      per route and image, from the prism-completions-test queue);
#   4. writes --out/index.html (relative links: works from file://) and
#      prints a summary: images, derivatives, latency per role, queues.
#
# Latency of a derivative: from the moment the upload's 201 reached the
# client to the time prism-host logged its "stored KEY" line (log level
# debug, written right after the PutObject succeeded), both on this
# machine's clock.
#
#   perl scripts/demo-gallery.pl [--images DIR] [--out DIR] [--timeout SECONDS]
#
# Exit status: 0 when every upload was accepted and every derivative is
# there with the expected type; 1 otherwise (the page is still written).
use strict;
use warnings;
use utf8;

use Digest::SHA qw(sha256_hex);
use File::Basename qw(basename);
use File::Path qw(make_path remove_tree);
use FindBin;
use Getopt::Long;
use HTTP::Tiny;
use JSON::PP;
use POSIX qw(strftime);
use Time::HiRes qw(time sleep);
use Time::Local qw(timegm);

use lib "$FindBin::Bin/lib";
use PrismImageHeader;

my $root = "$FindBin::Bin/..";
my %opt = (images => "$root/build/corpus", out => "$root/demo/out", timeout => 300);
GetOptions(\%opt, 'images=s', 'out=s', 'timeout=i') or die "usage: $0 [--images DIR] [--out DIR] [--timeout S]\n";

for my $v (qw(PRISM_STACK_DIR PRISM_UPLOAD_URL PRISM_LOOKUP_URL PRISM_HOST_LOG PRISM_AWS_ENDPOINT
              PRISM_METRICS_URL)) {
    die "demo-gallery: $v is not set (eval \"\$(scripts/stack.sh env)\")\n" unless $ENV{$v};
}
my $prism_aws = "$root/build/prism-aws";
my $json = JSON::PP->new->canonical;
my @problems;

# Which outputs a route makes, by its plugin (docs/plugins-builtin.md).
my %SUFFIXES = (
    thumbnail => sub { map { "$_.jpg" } @{ $_[0]{sizes} || [128, 256, 512] } },
    webp      => sub { 'image.webp' },
    watermark => sub { 'watermarked.jpg' },
    avif      => sub { 'image.avif' },
);
my %OUT_TYPE = (thumbnail => 'jpeg', webp => 'webp', watermark => 'jpeg', avif => 'avif');
# Upload types by extension (what curl declares; the ingress sniffs anyway).
my %CTYPE = (png => 'image/png', webp => 'image/webp', gif => 'image/gif', heic => 'image/heic',
             heif => 'image/heif', avif => 'image/avif');

my $host_conf = do {
    local $/;
    open(my $fh, '<', "$ENV{PRISM_STACK_DIR}/prism-host.json") or die "prism-host.json: $!\n";
    $json->decode(<$fh>);
};
my @routes = map {
    my $plugin = basename($_->{plugin}, '.so');
    die "demo-gallery: route $_->{name}: unknown plugin $plugin\n" unless $SUFFIXES{$plugin};
    { name => $_->{name}, plugin => $plugin, prefix => $_->{output}{prefix} // '',
      bucket => $_->{output}{bucket}, queue_url => $_->{queue_url}, dlq_url => $_->{dlq_url},
      suffixes => [ $SUFFIXES{$plugin}->($_->{plugin_params} || {}) ] }
} @{ $host_conf->{routes} };

opendir(my $dh, $opt{images}) or die "demo-gallery: $opt{images}: $!\n";
my @files = sort grep { /\.(jpe?g|png|webp|gif|heic|heif|avif)$/i && -f "$opt{images}/$_" } readdir $dh;
closedir $dh;
die "demo-gallery: no photos in $opt{images} (bench/corpus.sh makes them)\n" unless @files;

# --out is replaced whole: only an earlier gallery (or nothing) may be there
my @existing = -d $opt{out} ? glob("$opt{out}/*") : ();
if (@existing && !-f "$opt{out}/index.html") {
    die "demo-gallery: $opt{out} holds files but no gallery: not clearing it\n";
}
remove_tree($opt{out});
make_path($opt{out});

# ---- 1. uploads ----------------------------------------------------------------

my @MODES = (['put', 'raw PUT'], ['form', 'multipart form'], ['post', 'raw POST'],
             ['form', 'multipart form']);
my @images;
my $t_start = time;
printf "demo: uploading %d photos to %s\n", scalar @files, $ENV{PRISM_UPLOAD_URL};
for my $i (0 .. $#files) {
    my $file = "$opt{images}/$files[$i]";
    my ($mode, $label) = @{ $MODES[$i % @MODES] };
    my $img = upload($file, $mode);
    $img->{mode} = $label;
    $img->{name} = $files[$i];
    (my $dir = $files[$i]) =~ s/\.[^.]+$//;
    $dir =~ s/[^A-Za-z0-9._-]/_/g;
    $img->{dir} = $dir;
    push @images, $img;
    printf "  [%2d/%d] %-32s %-14s %10s bytes  %s\n", $i + 1, scalar @files, $files[$i], $label,
        commify(-s $file), $img->{status} == 201 ? sprintf('201 in %.0f ms', $img->{upload_ms})
                                                 : "$img->{status} $img->{error}";
}
my @ok = grep { $_->{status} == 201 } @images;
push @problems, map { "upload of $_->{name} answered $_->{status}: $_->{error}" }
                grep { $_->{status} != 201 } @images;

# upload(FILE, MODE): sends FILE with curl; returns the upload's record:
# status, the 201's JSON fields, t201 (when the answer arrived), upload_ms.
sub upload {
    my ($file, $mode) = @_;
    my $resp = "$opt{out}/.response";
    my $ctype = $file =~ /\.([^.]+)$/ && $CTYPE{ lc $1 } || 'image/jpeg';
    my @how = $mode eq 'put'  ? ('-T', $file)
            : $mode eq 'post' ? ('--data-binary', "\@$file", '-H', "Content-Type: $ctype")
            :                   ('-F', "photo=\@$file;type=$ctype", '-F', 'title=' . basename($file));
    open(my $curl, '-|', 'curl', '-sS', '--max-time', '120', '-o', $resp,
         '-w', '%{http_code} %{time_starttransfer} %{time_total}', @how, $ENV{PRISM_UPLOAD_URL})
        or die "curl: $!\n";
    my $w = <$curl> // '';
    close $curl;
    my $t_exit = time;
    my ($code, $ttfb, $total) = split ' ', $w;
    my $body = slurp($resp) // '';
    unlink $resp;
    my $r = eval { $json->decode($body) } || {};
    return { %$r, status => $code // 0, error => $r->{error} // ($body || 'no answer'),
             # the 201's first byte arrived (total - first byte) before curl exited
             t201 => $t_exit - (($total // 0) - ($ttfb // 0)), upload_ms => ($total // 0) * 1000 };
}

# ---- 2. wait for every derivative ----------------------------------------------------

my %want;     # key -> { img, route, suffix }
for my $img (@ok) {
    (my $stem = $img->{key}) =~ s{(?<=[^/])\.[^./]*$}{};
    for my $r (@routes) {
        for my $s (@{ $r->{suffixes} }) {
            my $key = "$r->{prefix}$stem/$r->{name}/$s";
            $want{$key} = { img => $img, route => $r, suffix => $s };
            push @{ $img->{derivatives} }, { key => $key, route => $r->{name}, suffix => $s,
                                             plugin => $r->{plugin} };
        }
    }
}
my %stored;   # key -> { t, bytes, type }
my @dlq_lines; # "... sent to the DLQ" lines of prism-host
my $log_pos = 0;
my $t_wait = time;
my $next_progress = $t_wait + 2;
printf "demo: waiting for %d derivatives (at most %d s)\n", scalar keys %want, $opt{timeout};
while (1) {
    read_host_log();
    my $have = grep { $stored{$_} } keys %want;
    last if $have == keys %want;
    if (@dlq_lines) {      # the stack is this demo's alone: any DLQ line is ours
        push @problems, map { "dead-lettered: $_" } @dlq_lines;
        last;
    }
    if (time - $t_start > $opt{timeout}) {
        push @problems, sprintf('timeout: %d of %d derivatives after %d s', $have,
                                scalar keys %want, $opt{timeout});
        last;
    }
    if (time >= $next_progress) {
        my %by;
        $by{ $want{$_}{route}{name} }[ $stored{$_} ? 0 : 1 ]++ for keys %want;
        printf "  ... %d/%d derivatives after %.0f s (%s)\n", $have, scalar keys %want, time - $t_wait,
            join(', ', map { sprintf '%s %d/%d', $_->{name}, $by{ $_->{name} }[0] // 0,
                             ($by{ $_->{name} }[0] // 0) + ($by{ $_->{name} }[1] // 0) } @routes);
        $next_progress = time + 2;
    }
    sleep 0.1;
}
my $t_done = time;

# read_host_log: new lines of prism-host's log: "stored KEY (N bytes, TYPE)"
# per derivative, and "...: sent to the DLQ" per dead-lettered message.
sub read_host_log {
    open(my $fh, '<', $ENV{PRISM_HOST_LOG}) or return;
    seek($fh, $log_pos, 0);
    while (my $line = <$fh>) {
        unless ($line =~ /\n\z/) { last }         # a line still being written
        $log_pos += length $line;
        chomp $line;
        if ($line =~ /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})Z \w+ .*?: stored (\S+) \((\d+) bytes, ([^)]*)\)$/) {
            my $t = timegm($6, $5, $4, $3, $2 - 1, $1) + $7 / 1000;
            $stored{$8} //= { t => $t, bytes => $9, type => $10 };
        } elsif ($line =~ /: sent to the DLQ$/) {
            push @dlq_lines, $line;
        }
    }
    close $fh;
}

# ---- 3. download and check ------------------------------------------------------------

my @jobs;
for my $img (@ok) {
    my $ext = $img->{key} =~ /\.([^.\/]+)$/ ? $1 : 'img';
    $img->{file} = "$img->{dir}/original.$ext";
    push @jobs, [$img->{bucket}, $img->{key}, $img->{file}];
    for my $d (@{ $img->{derivatives} }) {
        next unless $stored{ $d->{key} };
        $d->{file} = "$img->{dir}/$d->{route}/$d->{suffix}";
        push @jobs, [$want{ $d->{key} }{route}{bucket}, $d->{key}, $d->{file}];
    }
}
printf "demo: downloading %d objects into %s\n", scalar @jobs, $opt{out};
download_all(6, @jobs);

for my $img (@ok) {
    my $path = "$opt{out}/$img->{file}";
    my $bytes = slurp($path);
    if (!defined $bytes) {
        push @problems, "$img->{name}: original not downloadable";
    } elsif (sha256_hex($bytes) ne $img->{sha256}) {
        push @problems, "$img->{name}: stored original differs from the upload (SHA-256)";
    } else {
        my $info = PrismImageHeader::parse($bytes) || {};
        $img->{orientation} = $info->{orientation} // 1;
        $img->{type} = $info->{type} // '';
    }
    for my $d (@{ $img->{derivatives} }) {
        my $s = $stored{ $d->{key} };
        unless ($s) { push @problems, "$img->{name}: $d->{route}/$d->{suffix} missing"; next }
        $d->{latency_ms} = ($s->{t} - $img->{t201}) * 1000;
        my $info = PrismImageHeader::parse_file("$opt{out}/$d->{file}");
        if (!$info) {
            push @problems, "$img->{name}: $d->{route}/$d->{suffix} is not a readable image";
            next;
        }
        $d->{info} = $info;
        $d->{size} = -s "$opt{out}/$d->{file}";
        push @problems, "$img->{name}: $d->{route}/$d->{suffix} is $info->{type}, expected $OUT_TYPE{$d->{plugin}}"
            if $info->{type} ne $OUT_TYPE{ $d->{plugin} };
        push @problems, "$img->{name}: $d->{route}/$d->{suffix}: $d->{size} bytes, the log said $s->{bytes}"
            if $d->{size} != $s->{bytes};
    }
}

# download_all(N, [BUCKET, KEY, FILE]...): `prism-aws s3 get` of each, N at
# a time; a failed download leaves its file absent.
sub download_all {
    my ($n, @todo) = @_;
    my %running;
    while (@todo || %running) {
        while (@todo && keys %running < $n) {
            my ($bucket, $key, $file) = @{ shift @todo };
            my $path = "$opt{out}/$file";
            (my $d = $path) =~ s{/[^/]+$}{};
            make_path($d);
            my $pid = fork() // die "fork: $!\n";
            if ($pid == 0) {
                open(STDOUT, '>', '/dev/null');
                open(STDERR, '>', "$path.err");
                exec($prism_aws, 's3', 'get', $bucket, $key, $path) or POSIX::_exit(127);
            }
            $running{$pid} = $path;
        }
        my $pid = waitpid(-1, 0);
        next unless $pid > 0 && $running{$pid};
        my $path = delete $running{$pid};
        if ($? == 0) { unlink "$path.err" } else { unlink $path; rename "$path.err", "$path.failed" }
    }
}

# ---- 3b. the image records and the completion events ------------------------------------------

# GET /images/ID on nginx (prism_lookup): every route "ok" with as many
# outputs as it made.
my $lookup_base = $ENV{PRISM_LOOKUP_URL};
my $lookup = HTTP::Tiny->new(timeout => 10);
for my $img (@ok) {
    my $r = $lookup->get("$lookup_base/$img->{imageId}");
    my $rec = $r->{success} ? eval { $json->decode($r->{content}) } : undef;
    unless ($rec) { push @problems, "$img->{name}: lookup answered $r->{status}"; next }
    my @bad = grep {
        my $rr = $rec->{routes}{ $_->{name} } || {};
        ($rr->{status} // '') ne 'ok' || @{ $rr->{outputs} || [] } != @{ $_->{suffixes} }
    } @routes;
    push @problems, "$img->{name}: the image record lacks " . join(', ', map { $_->{name} } @bad) if @bad;
    $img->{record} = @bad ? 'incomplete' : 'every route ok';
}

# The completion events: one "ok" per route and image, from the queue
# subscribed to the prism-completions topic.
my $completions_url = $ENV{PRISM_QUEUE_URL_PRISM_COMPLETIONS_TEST}
    // die "demo-gallery: PRISM_QUEUE_URL_PRISM_COMPLETIONS_TEST is not set (scripts/stack.sh env)\n";
my %completed;
for my $round (1 .. 200) {
    open(my $p, '-|', $prism_aws, 'sqs', 'receive', '--queue-url', $completions_url, '--max', '10',
         '--wait', '1', '--delete') or last;
    my @msgs = map { eval { $json->decode($_) } || () } <$p>;
    close $p;
    last unless @msgs;
    for my $m (@msgs) {
        my $ev = eval { $json->decode($m->{body}) } or next;
        $completed{"$ev->{imageId}/$ev->{route}"}++ if ($ev->{status} // '') eq 'ok';
    }
}
my $n_completed = 0;
for my $img (@ok) {
    for my $r (@routes) {
        my $n = $completed{"$img->{imageId}/$r->{name}"} // 0;
        $n_completed += $n;
        push @problems, "$img->{name}: $n completion events of route $r->{name}" if $n != 1;
    }
}

# ---- 4. queues, page, summary ---------------------------------------------------------------

my (%depth, %dlq_depth);
for my $r (@routes) {
    my $until = time + 5;       # the last deletes may still be on their way
    while (1) {
        $depth{ $r->{name} } = queue_depth($r->{queue_url});
        last if ($depth{ $r->{name} } // 1) == 0 || time > $until;
        sleep 0.2;
    }
    $dlq_depth{ $r->{name} } = queue_depth($r->{dlq_url});
    push @problems, "DLQ of route $r->{name} holds $dlq_depth{$r->{name}} message(s)"
        if ($dlq_depth{ $r->{name} } // 1) != 0;
}

# queue_depth(URL): visible + in-flight + delayed messages, undef on error.
sub queue_depth {
    my ($url) = @_;
    open(my $p, '-|', $prism_aws, 'sqs', 'attributes', '--queue-url', $url) or return undef;
    my $out = do { local $/; <$p> } // '';
    close $p;
    my $a = eval { $json->decode($out) } or return undef;
    my $n = 0;
    $n += $a->{$_} // 0 for qw(ApproximateNumberOfMessages ApproximateNumberOfMessagesNotVisible
                                ApproximateNumberOfMessagesDelayed);
    return $n;
}

my %lat = (all => []);
for my $img (@ok) {
    for my $d (grep { defined $_->{latency_ms} } @{ $img->{derivatives} }) {
        push @{ $lat{ $d->{route} } }, $d->{latency_ms};
        push @{ $lat{all} }, $d->{latency_ms};
    }
}
my $n_der = scalar @{ $lat{all} };
my @stats_rows = map {
    my $l = $lat{ $_ } || [];
    [$_, scalar @$l, pct($l, 50), pct($l, 99), pct($l, 100)]
} ((map { $_->{name} } @routes), 'all');

# pct(\@MS, P): the P-th percentile (nearest rank), '-' when empty.
sub pct {
    my ($l, $p) = @_;
    return '-' unless @$l;
    my @s = sort { $a <=> $b } @$l;
    my $rank = int($p / 100 * @s + 0.999999);
    $rank = 1 if $rank < 1;
    return sprintf('%.0f', $s[$rank - 1]);
}

write_page("$opt{out}/index.html");

my $raw = grep { $_->{mode} =~ /^raw/ } @ok;
printf "\nprism demo: %d photos uploaded (%d raw PUT/POST, %d multipart), %d/%d derivatives in %.1f s\n",
    scalar @ok, $raw, @ok - $raw, $n_der, scalar keys %want, $t_done - $t_start;
printf "%-10s %11s %8s %8s %8s\n", 'role', 'derivatives', 'p50 ms', 'p99 ms', 'max ms';
printf "%-10s %11d %8s %8s %8s\n", @$_ for @stats_rows;
print "queues:  ", join(', ', map { sprintf '%s %s (DLQ %s)', $_->{name}, $depth{ $_->{name} } // '?',
                                    $dlq_depth{ $_->{name} } // '?' } @routes), "\n";
printf "records: %d/%d images with every route ok (GET /images/ID); completion events: %d/%d\n",
    scalar(grep { ($_->{record} // q()) eq q(every route ok) } @ok), scalar @ok, $n_completed, @ok * @routes;
print "latency: upload's 201 -> prism-host's \"stored\" log line of the derivative\n";
print "gallery: $opt{out}/index.html\n";
if (@problems) {
    print "PROBLEMS:\n", map { "  $_\n" } @problems;
    exit 1;
}
exit 0;

# ---- helpers ----------------------------------------------------------------------------------

# slurp(PATH): the file's bytes, undef when unreadable.
sub slurp {
    my ($path) = @_;
    open(my $fh, '<:raw', $path) or return undef;
    local $/;
    return <$fh>;
}

# commify(N): N with a space every three digits ("1 157 513").
sub commify {
    my ($n) = @_;
    1 while $n =~ s/^(\d+)(\d{3})/$1 $2/;
    return $n;
}

# h(TEXT): TEXT escaped for HTML.
sub h {
    my ($s) = @_;
    $s //= '';
    $s =~ s/&/&amp;/g; $s =~ s/</&lt;/g; $s =~ s/>/&gt;/g; $s =~ s/"/&quot;/g;
    return $s;
}

# href(PATH): the relative URL of a file under --out (segments percent-encoded).
sub href { join '/', map { my $s = $_; $s =~ s/([^A-Za-z0-9._~-])/sprintf '%%%02X', ord $1/ge; $s } split m{/}, $_[0] }

# figure(FILE, TITLE, \@LINES, CLASS, NOTE): one image with its caption,
# linking to it; with NOTE, a box saying it instead of the image (HEIC:
# no browser shows it).
sub figure {
    my ($file, $title, $lines, $class, $note) = @_;
    my $src = href($file);
    my $shown = defined $note ? '<span class="noimg">' . h($note) . '</span>'
                              : qq{<img src="$src" alt="} . h($title) . '">';
    return qq{<figure class="$class"><a href="$src">$shown</a>}
         . '<figcaption><b>' . h($title) . '</b>' . join('', map { '<br>' . h($_) } @$lines)
         . "</figcaption></figure>\n";
}

# write_page(PATH): the gallery: summary table, problems, one section per
# photo (original and derivatives), and how it was measured.
sub write_page {
    my ($path) = @_;
    my $when = strftime('%Y-%m-%d %H:%M:%S UTC', gmtime $t_start);
    my $nproc = `nproc 2>/dev/null` // '?';
    chomp $nproc;
    my $routes_desc = join '; ', map {
        my $p = $_->{plugin_params} ? $json->encode($_->{plugin_params}) : '{}';
        $p =~ s{"[^"]*/([^"/]+)"}{"$1"}g;      # paths: file names only
        "$_->{name}: " . basename($_->{plugin}) . " $p"
    } @{ $host_conf->{routes} };
    my $formats = 'The originals are the corpus photos (JPEG) and, made from them at demo time by '
      . 'scripts/demo-inputs.sh, a HEIC, an AVIF, an animated GIF and a wide-gamut JPEG (Adobe RGB (1998) '
      . 'pixels, its profile embedded): every route takes each, the derivatives in sRGB; the webp route '
      . 'keeps the animation.';
    my $html = <<"HEAD";
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>prism demo — @{[ scalar @ok ]} photos, $n_der derivatives</title>
<style>
body { font: 14px/1.4 sans-serif; margin: 24px; color: #222; background: #fafafa; }
h1 { font-size: 22px; margin: 0 0 4px; }
table.stats { border-collapse: collapse; margin: 12px 0; }
table.stats th, table.stats td { border: 1px solid #ccc; padding: 3px 10px; text-align: right; }
table.stats th:first-child, table.stats td:first-child { text-align: left; }
section.photo { background: #fff; border: 1px solid #ddd; border-radius: 6px; margin: 16px 0; padding: 10px 14px; }
section.photo h2 { font-size: 16px; margin: 0 0 2px; }
.meta { color: #555; font-size: 12px; margin-bottom: 8px; word-break: break-all; }
.row { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 14px; }
figure { margin: 0; text-align: center; font-size: 12px; }
figure img { display: block; margin: 0 auto 4px; max-width: 172px; max-height: 130px; border: 1px solid #ccc; background: #eee; }
figure.original img { max-width: 240px; max-height: 160px; }
.noimg { display: flex; align-items: center; justify-content: center; width: 200px; height: 125px; margin: 0 auto 4px; border: 1px dashed #999; background: #eee; color: #555; padding: 0 8px; }
figcaption { color: #333; }
.problems { color: #a00; }
footer { color: #555; font-size: 12px; margin-top: 24px; border-top: 1px solid #ccc; padding-top: 8px; }
</style>
</head>
<body>
<h1>prism demo: @{[ scalar @ok ]} photos, $n_der derivatives</h1>
<div class="meta">$when · uploads to nginx + ngx_http_prism_module → S3 + SNS (local emulator) → SQS per role → prism-host ($host_conf->{workers} workers) on a $nproc-CPU machine</div>
<table class="stats">
<tr><th>role</th><th>derivatives</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>queue depth</th><th>DLQ depth</th></tr>
HEAD
    for my $row (@stats_rows) {
        my ($name) = @$row;
        $html .= '<tr>' . join('', map { '<td>' . h($_) . '</td>' } @$row,
                               $depth{$name} // '', $dlq_depth{$name} // '') . "</tr>\n";
    }
    $html .= "</table>\n";
    if (@problems) {
        $html .= qq{<div class="problems"><b>Problems</b><ul>} . join('', map { '<li>' . h($_) . '</li>' } @problems)
               . "</ul></div>\n";
    }
    for my $img (@images) {
        $html .= qq{<section class="photo">\n<h2>} . h($img->{name}) . "</h2>\n";
        if ($img->{status} != 201) {
            $html .= '<div class="problems">refused: ' . h("$img->{status} $img->{error}") . "</div></section>\n";
            next;
        }
        $html .= '<div class="meta">' . h(sprintf('%s · %s · %d×%d · %s bytes · upload answered 201 in %.0f ms · record: %s · s3://%s/%s',
            $img->{mode}, $img->{contentType}, $img->{width}, $img->{height}, commify($img->{size}),
            $img->{upload_ms}, $img->{record} // 'missing', $img->{bucket}, $img->{key})) . "</div>\n<div class=\"row\">\n";
        my $rot = ($img->{orientation} // 1) > 1 ? " stored, EXIF orientation $img->{orientation}" : '';
        $html .= figure($img->{file}, 'original', [sprintf('%d×%d%s', $img->{width}, $img->{height}, $rot),
                                                     commify($img->{size}) . ' bytes'], 'original',
                        ($img->{type} // '') eq 'heic' ? 'HEIC: no browser shows it; the derivatives are made from it' : undef);
        for my $d (@{ $img->{derivatives} }) {
            my $title = "$d->{route} $d->{suffix}";
            if (!$d->{info}) {
                $html .= '<figure><div class="problems">' . h("$title missing") . "</div></figure>\n";
                next;
            }
            $html .= figure($d->{file}, $title, [
                sprintf('%d×%d %s%s', $d->{info}{width}, $d->{info}{height}, uc $d->{info}{type},
                        $d->{info}{animated} ? ', animated' : ''),
                commify($d->{size}) . ' bytes', sprintf('+%.0f ms after the 201', $d->{latency_ms})], $d->{route});
        }
        $html .= "</div>\n</section>\n";
    }
    $html .= '<footer><p><b>How this page was made.</b> scripts/demo.sh started the local stack '
      . '(scripts/stack.sh: AWS emulators, nginx with the prism module, prism-host), then uploaded each photo '
      . 'with curl, alternating raw PUT, multipart form and raw POST, one after another. Routes: '
      . h($routes_desc) . '. ' . h($formats) . '</p>'
      . '<p><b>Latency</b> is measured from the moment the upload\'s <code>201 Created</code> reached the client '
      . '(curl\'s time of the first response byte) to the timestamp of the line prism-host logs right after the '
      . 'derivative\'s PutObject succeeded (<code>stored KEY</code>, log level debug, millisecond resolution), '
      . 'both on the same machine clock. It includes the SNS fan-out, the SQS long poll, fetching the original, '
      . 'the plugin and storing the output; uploads overlap with processing. p99 is the nearest-rank percentile '
      . '(with few samples, close to the maximum).</p>'
      . '<p>Every object was then downloaded from S3 with <code>prism-aws s3 get</code>; the types and dimensions '
      . 'shown are read from the downloaded files\' headers, and each original\'s SHA-256 was compared with the '
      . 'upload\'s answer. Each image\'s record was read back through nginx (<code>GET /images/ID</code>, '
      . 'prism_lookup on the DynamoDB item prism-host writes) and the completion events counted. '
      . 'Images are shown scaled; click one for the full file.</p></footer>'
      . "\n</body>\n</html>\n";
    open(my $fh, '>:utf8', $path) or die "$path: $!\n";
    print $fh $html;
    close $fh;
}
