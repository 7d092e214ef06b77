# The out-of-tree example plugin (examples/plugin-grayscale) builds with
# the one cc line of its README (pkg-config --cflags prism-plugin) against
# the installed header and pkg-config file alone, links
# nothing of prism, and runs in prism-run-plugin and in prism-host.
use strict;
use warnings;
use File::Copy qw(copy);
use File::Path qw(make_path);
use FindBin;
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use Test::More;

my $tmp = tmpdir();
my $src = root() . '/examples/plugin-grayscale/grayscale.c';
my $runner = $ENV{PRISM_RUN_PLUGIN_BIN} || root() . '/build/prism-run-plugin';

# An "installed" header and pkg-config file, as make install lays them out.
make_path("$tmp/prefix/include/prism", "$tmp/prefix/share/pkgconfig");
copy(root() . '/include/prism/plugin.h', "$tmp/prefix/include/prism/plugin.h") or die;
{
    (my $pc = host_log(root() . '/conf/prism-plugin.pc.in')) =~ s/\@PREFIX\@/$tmp\/prefix/g;
    $pc =~ s/\@VERSION\@/0/g;
    open(my $fh, '>', "$tmp/prefix/share/pkgconfig/prism-plugin.pc") or die;
    print $fh $pc;
    close $fh;
}

my $readme = host_log(root() . '/examples/plugin-grayscale/README.md');
my ($line) = $readme =~ /^\s+(cc \$\(pkg-config --cflags prism-plugin\) -shared -fPIC -fvisibility=hidden -o grayscale\.so grayscale\.c)$/m;
ok($line, 'the README shows the one-line build');
my ($rc, $out) = run_cmd('sh', '-c', "cd $tmp && export PKG_CONFIG_PATH=$tmp/prefix/share/pkgconfig"
                                     . " && cp $src . && $line");
is($rc, 0, 'it builds with that line') or diag($out);
($rc, $out) = run_cmd('cc', '-std=c11', '-Wall', '-Wextra', '-Werror', '-pedantic', '-shared', '-fPIC',
                      '-o', "$tmp/strict.so", $src, "-I$tmp/prefix/include");
is($rc, 0, 'and warning-free with -Wall -Wextra -pedantic') or diag($out);

($rc, $out) = run_cmd('nm', '-D', '--undefined-only', "$tmp/grayscale.so");
unlike($out, qr/\b(aws|img|ii|host)_\w+/, 'it links nothing of prism');
($rc, $out) = run_cmd('nm', '-D', '--defined-only', "$tmp/grayscale.so");
like($out, qr/\A\S+ D prism_plugin\n\z/, 'it exports the descriptor alone');

# A 3x2 PPM and the grayscale it should become (BT.601, rounded).
my @px = ([255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0], [10, 20, 30]);
my $ppm = "P6\n# made by the test\n3 2\n255\n" . join('', map { pack('C3', @$_) } @px);
my $pgm = "P5\n3 2\n255\n" . join('', map { pack('C', int((299 * $_->[0] + 587 * $_->[1] + 114 * $_->[2] + 500) / 1000)) } @px);
open(my $fh, '>', "$tmp/photo.ppm") or die;
binmode $fh;
print $fh $ppm;
close $fh;

($rc, $out) = run_cmd($runner, '-o', "$tmp/run", "$tmp/grayscale.so", "$tmp/photo.ppm");
is($rc, 0, 'prism-run-plugin: ok') or diag($out);
is(host_log("$tmp/run/photo/grayscale/gray.pgm"), $pgm, 'prism-run-plugin: the expected PGM');
($rc, $out) = run_cmd($runner, '-p', '{"weights": "cmyk"}', "$tmp/grayscale.so", "$tmp/photo.ppm");
like($out, qr/\Qparams.weights: expected one of "bt601|bt709", got "cmyk"\E/, 'its param table is enforced');

# Through prism-host.
my $bucket = uniq('gray');
create_bucket($bucket);
put_object($bucket, 'up/photo.ppm', $ppm, 'image/x-portable-pixmap');
put_object($bucket, 'up/photo.jpg', "\xff\xd8\xff\xe0 not really", 'image/jpeg');
my $q = create_queue(uniq('gray'), visibility => 10);
my $qd = create_queue(uniq('gray-dlq'));
my $conf = write_config("$tmp/host.json", { workers => 1, routes => [
    { name => 'grayscale', queue_url => $q, dlq_url => $qd, plugin => "$tmp/grayscale.so",
      plugin_params => { keep_original => JSON::PP::true }, input => { buckets => [$bucket] }, output => { bucket => $bucket, prefix => 'g/' } } ] });
($rc, $out) = run_cmd($ENV{PRISM_HOST_BIN} || root() . '/build/prism-host', '-t', '-c', $conf);
like($out, qr/route grayscale: plugin grayscale 1\.0\.0 .* ok/, 'prism-host -t accepts it');
my $log = "$tmp/host.log";
my $pid = start_host($conf, $log);
send_message($q, prism_event($bucket, 'up/photo.ppm', contentType => 'image/x-portable-pixmap'));
send_message($q, prism_event($bucket, 'up/photo.jpg'));
ok(wait_for(sub { defined get_object($bucket, 'g/up/photo/grayscale/gray.pgm') }, 15), 'prism-host stored its output')
    or diag(host_log($log));
is(get_object($bucket, 'g/up/photo/grayscale/gray.pgm'), $pgm, 'the expected PGM');
is(get_object($bucket, 'g/up/photo/grayscale/original'), $ppm, 'and the original, as asked');
my @d;
wait_for(sub { push @d, receive_messages($qd, wait => 1); @d }, 10);
is(scalar @d, 1, 'the JPEG is rejected to the DLQ');
is($d[0]{MessageAttributes}{'prism.reason'}{StringValue},
   'image/jpeg is not a type plugin grayscale accepts (image/x-portable-pixmap)',
   'by the host, from the types the plugin declares, with the reason');
is(stop_host($pid, 'TERM', 30), 0, 'SIGTERM: exit 0');
memcheck($log);
done_testing();
