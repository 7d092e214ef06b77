# The avif plugin (plugins/avif) builds out of tree the way a third party
# builds one: `make install-imaging` lays out the plugin header, the
# imaging library and its pkg-config file under a prefix, and the one cc
# line of its README builds it from its folder alone. The result links
# nothing of prism dynamically, and runs in prism-run-plugin and, by
# configuration alone, in prism-host.
use strict;
use warnings;
use File::Copy qw(copy);
use FindBin;
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use Test::More;

my $tmp = tmpdir();
my $src = root() . '/plugins/avif';
my $img = root() . '/tests/data/images';
my $runner = $ENV{PRISM_RUN_PLUGIN_BIN} || root() . '/build/prism-run-plugin';

my ($rc, $out) = run_cmd('make', '-s', '-C', root(), 'install-imaging', "PREFIX=$tmp/prefix");
is($rc, 0, 'make install-imaging lays out the library under a prefix') or diag($out);
ok(-f "$tmp/prefix/$_", "installed: $_") for qw(include/prism/plugin.h include/prism/imaging/img_fit.h
    include/prism/imaging/img_prism.h lib/libprismplugin-support.a
    lib/libprismimaging.a lib/libprismimageinfo.a lib/pkgconfig/prism-imaging.pc);

my $readme = host_log("$src/README.md");
my ($line) = $readme =~ /^\s+(cc -shared -fPIC -fvisibility=hidden -o avif\.so avif\.c avif_encode\.c \$\(pkg-config [^\n]*\))$/m;
ok($line, 'the README shows the one-line build');
mkdir("$tmp/oot") or die;
copy($_, "$tmp/oot/") or die for glob("$src/*.c"), glob("$src/*.h");
($rc, $out) = run_cmd('sh', '-c', "cd $tmp/oot && PREFIX=$tmp/prefix && "
                      . "export PKG_CONFIG_PATH=$tmp/prefix/lib/pkgconfig && $line -Wl,--no-undefined");
is($rc, 0, 'it builds from its folder with that line') or diag($out);
($rc, $out) = run_cmd('sh', '-c', "cd $tmp/oot && export PKG_CONFIG_PATH=$tmp/prefix/lib/pkgconfig && "
                      . "cc -std=gnu11 -Wall -Wextra -Werror -fsyntax-only avif.c avif_encode.c "
                      . "\$(pkg-config --cflags prism-imaging libavif)");
is($rc, 0, 'and warning-free with -Wall -Wextra') or diag($out);
my $so = "$tmp/oot/avif.so";
($rc, $out) = run_cmd('nm', '-D', '--undefined-only', $so);
unlike($out, qr/\b(aws|img|ii|host)_\w+/, 'it needs nothing of prism at run time');
($rc, $out) = run_cmd('nm', '-D', '--defined-only', $so);
like($out, qr/\A\S+ D prism_plugin\n\z/, 'it exports the descriptor alone');

# prism-run-plugin: a JPEG fitted, a HEIC, and a file of no accepted type
($rc, $out) = run_cmd($runner, '-p', '{"max_dimension": 64}', '-o', "$tmp/run", $so,
                      "$img/jpeg-baseline-420.jpg", "$img/heic-64x48.heic");
is($rc, 0, 'prism-run-plugin: ok') or diag($out);
for (['jpeg-baseline-420', '64x39'], ['heic-64x48', '64x48']) {
    my ($name, $size) = @$_;
    my ($drc, $info) = run_cmd('avifdec', '--info', "$tmp/run/$name/avif/image.avif");
    like($info, qr/Resolution\s*:\s*$size\b/, "$name: avifdec reads a $size AVIF") or diag($info);
}
($rc, $out) = run_cmd($runner, '-p', '{"background": "red"}', $so, "$img/png-rgba.png");
like($out, qr/background: want none or #rrggbb, got red/, 'init refuses a bad background');

# prism-host, by configuration alone
my $bucket = uniq('avif');
create_bucket($bucket);
put_object($bucket, 'up/photo.jpg', host_log("$img/jpeg-baseline-420.jpg"), 'image/jpeg');
put_object($bucket, 'up/phone.heic', host_log("$img/heic-64x48.heic"), 'image/heic');
put_object($bucket, 'up/broken.jpg', "\xff\xd8\xff\xe0 not really", 'image/jpeg');
my $q = create_queue(uniq('avif'), visibility => 10);
my $qd = create_queue(uniq('avif-dlq'));
my $conf = write_config("$tmp/host.json", { workers => 1, routes => [
    { name => 'avif', queue_url => $q, dlq_url => $qd, plugin => $so,
      plugin_params => { quality => 50, speed => 9 }, input => { buckets => [$bucket] },
      output => { bucket => $bucket, prefix => 'd/' } } ] });
($rc, $out) = run_cmd($ENV{PRISM_HOST_BIN} || root() . '/build/prism-host', '-t', '-c', $conf);
like($out, qr/route avif: plugin avif 1\.0\.0 .* ok, accepts image\/jpeg .*image\/avif/, 'prism-host -t accepts it');
my $log = "$tmp/host.log";
my $pid = start_host($conf, $log);
send_message($q, prism_event($bucket, 'up/photo.jpg'));
send_message($q, prism_event($bucket, 'up/phone.heic', contentType => 'image/heic'));
send_message($q, prism_event($bucket, 'up/broken.jpg'));
for my $name (qw(photo phone)) {
    ok(wait_for(sub { defined get_object($bucket, "d/up/$name/avif/image.avif") }, 30),
       "prism-host stored the AVIF of $name") or diag(host_log($log));
    like(get_object($bucket, "d/up/$name/avif/image.avif") // '', qr/^.{4}ftypavif/s, 'an AVIF file');
}
my @d;
wait_for(sub { push @d, receive_messages($qd, wait => 1); @d }, 15);
is(scalar @d, 1, 'the broken JPEG goes to the DLQ');
like($d[0]{MessageAttributes}{'prism.reason'}{StringValue} // '', qr/^plugin avif: .*jpe?g/i, 'with the reason');
is(stop_host($pid, 'TERM', 30), 0, 'SIGTERM: exit 0');
memcheck($log);
done_testing();
