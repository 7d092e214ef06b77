# prism-run-plugin under valgrind: the host's loader, param validation and
# output collection, driving the test plugins, the example plugin and the
# built-in plugins over the shared image fixtures, with no memory error and
# no definite leak.  (VALGRIND=1 runs every other suite's prism-host under
# valgrind too.)
use strict;
use warnings;
use FindBin;
BEGIN { $ENV{PRISM_HOST_TEST_NO_AWS} = 1 }
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use Test::More;

plan skip_all => 'valgrind not installed' unless grep { -x "$_/valgrind" } split /:/, $ENV{PATH};

my $tmp = tmpdir();
# Always the plain build: valgrind cannot run an ASan binary.
my $runner = root() . '/build/prism-run-plugin';
my $images = root() . '/tests/data/images';
my @fixtures = map { "$images/$_" } qw(jpeg-baseline-420.jpg jpeg-progressive.jpg jpeg-gray.jpg
    jpeg-cmyk.jpg jpeg-orient-6.jpg png-rgba.png png-palette.png webp-lossy.webp gif-still.gif);

# vg(NAME, PLUGIN, PARAMS_JSON): runs prism-run-plugin under valgrind on
# the fixtures; one test that valgrind saw no error.
sub vg {
    my ($name, $plugin, $params) = @_;
    my $log = "$tmp/vg-$name.log";
    my ($rc, $out) = run_cmd('valgrind', '--error-exitcode=99', '--leak-check=full',
                             '--errors-for-leak-kinds=definite', "--log-file=$log",
                             $runner, '-p', $params, '-o', "$tmp/out-$name", $plugin, @fixtures);
    my $vg = host_log($log);
    ok($rc != 99 && $vg =~ /ERROR SUMMARY: 0 errors/, "$name: valgrind clean (exit $rc)")
        or diag("$out\n$vg");
    return $out;
}

my $out = vg('ok', plugin_path('ok'), '{"quality": 50, "suffix": "c.bin"}');
like($out, qr/jpeg-baseline-420\.jpg: ok: 2 output\(s\)/, 'ok: processed the fixtures');
vg('reject', plugin_path('reject'), '{}');
vg('slow', plugin_path('slow'), '{"seconds": 0}');

my ($rc, $cout) = run_cmd('cc', '-shared', '-fPIC', '-o', "$tmp/grayscale.so",
                          root() . '/examples/plugin-grayscale/grayscale.c', '-I' . root() . '/include');
is($rc, 0, 'example plugin built') or diag($cout);
vg('grayscale', "$tmp/grayscale.so", '{"keep_original": true}');

SKIP: {
    my %params = (thumbnail => '{"sizes": [64, 32]}', webp => '{"quality": 60}',
                  watermark => '{"logo": "' . "$images/png-rgba.png" . '"}');
    my @missing = grep { !-f root() . "/build/plugins/$_.so" } sort keys %params;
    skip("built-in plugins not built: @missing", scalar keys %params) if @missing;
    vg($_, root() . "/build/plugins/$_.so", $params{$_}) for sort keys %params;
}

done_testing();
