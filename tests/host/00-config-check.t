# prism-host -t validates like nginx -t (errors name the key path; plugins
# are loaded and their init runs); plugins with a wrong ABI version or
# without the symbol are refused with clear errors, by -t, by a starting
# prism-host and by prism-run-plugin.  No AWS calls are made here.
use strict;
use warnings;
use File::Temp ();
use FindBin;
BEGIN { $ENV{PRISM_HOST_TEST_NO_AWS} = 1 }
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use Test::More;

my $tmp = tmpdir();
my $host = $ENV{PRISM_HOST_BIN} || root() . '/build/prism-host';
my $runner = $ENV{PRISM_RUN_PLUGIN_BIN} || root() . '/build/prism-run-plugin';
my $image = root() . '/tests/data/images/jpeg-baseline-420.jpg';

# route(NAME, PLUGIN, \%PARAMS): one route writing to a local directory.
mkdir "$tmp/out";
sub route {
    my ($name, $plugin, $params) = @_;
    return { name => $name, queue_url => "http://127.0.0.1:1/123456789012/$name",
             dlq_url => "http://127.0.0.1:1/123456789012/$name-dlq",
             plugin => $plugin, plugin_params => $params // {},
             input => { buckets => ["prism-ingest"] }, output => { directory => "$tmp/out" } };
}

# check(\@ROUTES): (exit status, output) of prism-host -t.
my $n = 0;
sub check {
    my ($routes, %extra) = @_;
    my $file = write_config("$tmp/check" . ++$n . '.json', { workers => 1, routes => $routes, %extra });
    return (run_cmd($host, '-t', '-c', $file), $file);
}

my ($rc, $out, $file) = check([route('a', plugin_path('ok'), { quality => 90 }),
                               route('b', plugin_path('slow'), { seconds => 0.5 })]);
is($rc, 0, 'valid config: -t exits 0') or diag($out);
like($out, qr/syntax is ok/, 'valid config: syntax is ok');
like($out, qr/route a: plugin ok 1\.0\.0 .* ok, accepts image\/jpeg image\/png image\/webp image\/gif image\/heic image\/heif image\/avif$/m,
     'valid config: route a plugin reported with the types it accepts');
like($out, qr/route b: plugin slow 1\.0\.0 .* ok/, 'valid config: route b plugin reported');
like($out, qr/test is successful/, 'valid config: test is successful');

($rc, $out) = check([route('a', plugin_path('ok')), route('b', plugin_path('ok'), { quality => 'high' })]);
is($rc, 1, 'bad param: -t exits 1');
like($out, qr/\Qroutes[1].plugin_params.quality: expected integer 1..100, got "high"\E/,
     'bad param: error names the key path and what was expected');
like($out, qr/test failed/, 'bad param: test failed');

{
    my $open = route('open', plugin_path('ok'));
    delete $open->{input};
    ($rc, $out) = check([route('a', plugin_path('ok')), $open]);
    is($rc, 1, 'route without input.buckets: -t exits 1');
    like($out, qr/\Qroutes[1].input: required: the buckets this route reads originals from\E/,
         'route without input.buckets: named, with what to add');
}

($rc, $out) = check([route('a', plugin_path('ok'), { qualty => 80 })]);
like($out, qr/\Qroutes[0].plugin_params.qualty: unknown parameter\E/, 'unknown param named');

($rc, $out) = check([route('a', plugin_path('ok'), { init_fail => JSON::PP::true })]);
is($rc, 1, 'init refusal: -t exits 1');
like($out, qr/\Qroutes[0].plugin_params: plugin ok refused: init_fail is set\E/,
     'init refusal: the plugin\'s own message with the key path');

($rc, $out) = check([route('a', plugin_path('ok')), route('b', plugin_path('bad_abi'))]);
is($rc, 1, 'ABI mismatch: -t exits 1');
like($out, qr/\Qroutes[1].plugin: \E.*bad_abi\.so: plugin ABI version 3, this prism-host speaks version 2/,
     'ABI mismatch: clear error with both versions');

($rc, $out) = check([route('a', plugin_path('old_abi'))]);
is($rc, 1, 'a version 1 plugin (no accepts list): -t exits 1');
like($out, qr/\Qroutes[0].plugin: \E.*old_abi\.so: plugin ABI version 1, this prism-host speaks version 2: rebuild the plugin/,
     'a version 1 plugin: told to rebuild it');

($rc, $out) = check([route('a', plugin_path('no_accepts'))]);
is($rc, 1, 'no accepted types: -t exits 1');
like($out, qr/\Qroutes[0].plugin: \E.*no_accepts\.so: plugin no_accepts declares no accepted types/,
     'no accepted types: said');

($rc, $out) = check([route('a', plugin_path('no_symbol'))]);
is($rc, 1, 'missing symbol: -t exits 1');
like($out, qr/\Qroutes[0].plugin: \E.*no_symbol\.so: no symbol "prism_plugin": not a prism plugin/,
     'missing symbol: clear error');

open(my $fh, '>', "$tmp/not-elf.so") or die;
print $fh "just text\n";
close $fh;
($rc, $out) = check([route('a', "$tmp/not-elf.so")]);
like($out, qr/\Qroutes[0].plugin: cannot load plugin: \E.*not-elf\.so/, 'not a shared object: dlopen reason');

($rc, $out) = check([route('a', plugin_path('ok'))], workers => 0);
like($out, qr/\Qworkers: expected integer 1..256, got 0\E/, 'global key error named');

($rc, $out) = check([{ %{ route('a', plugin_path('ok')) }, visibility_timeout => '30s' }]);
like($out, qr/\Qroutes[0].visibility_timeout: expected integer 1..43200, got "30s"\E/,
     'route key error named');

open($fh, '>', "$tmp/syntax.json") or die;
print $fh "{\n  \"workers\": 1,\n  \"routes\": [\n}\n";
close $fh;
($rc, $out) = run_cmd($host, '-t', '-c', "$tmp/syntax.json");
is($rc, 1, 'syntax error: exits 1');
like($out, qr/\Q$tmp\E\/syntax\.json:4:\d+: /, 'syntax error: file:line:column');

# A starting prism-host checks its plugins (in a child) and refuses to run.
$file = write_config("$tmp/run-bad.json", { workers => 1, routes => [route('a', plugin_path('bad_abi'))] });
($rc, $out) = run_cmd($host, '-c', $file);
is($rc, 1, 'prism-host refuses to start with a bad plugin');
like($out, qr/plugin ABI version 3, this prism-host speaks version 2/, 'and says why');

# prism-run-plugin: the same loader and params, without queues.
($rc, $out) = run_cmd($runner, '-p', '{"quality": 70}', '-o', "$tmp/run-out", plugin_path('ok'), $image);
is($rc, 0, 'prism-run-plugin ok: exit 0') or diag($out);
like($out, qr/jpeg-baseline-420\.jpg: ok: 2 output\(s\)/, 'prism-run-plugin ok: outputs reported');
my $info = host_log("$tmp/run-out/jpeg-baseline-420/ok/info.txt");
like($info, qr/content_type=image\/jpeg width=161 height=97 .*quality=70/,
     'prism-run-plugin ok: metadata from the header, params applied');
is(-s "$tmp/run-out/jpeg-baseline-420/ok/copy.bin", -s $image, 'prism-run-plugin ok: copy written');

($rc, $out) = run_cmd($runner, '-n', '5', plugin_path('ok'), $image);
like($out, qr/mean [\d.]+ ms, fastest [\d.]+ ms over 5 runs/, 'prism-run-plugin -n reports timings');

($rc, $out) = run_cmd($runner, '-l', plugin_path('ok'));
is($rc, 0, 'prism-run-plugin -l: exit 0');
like($out, qr/^ok 1\.0\.0 \(plugin ABI 2\)$/m, 'prism-run-plugin -l: name, version, ABI');
like($out, qr/^  accepts: image\/jpeg image\/png image\/webp image\/gif image\/heic image\/heif image\/avif$/m,
     'prism-run-plugin -l: the types it accepts');
like($out, qr/^  quality +int +default 80, 1\.\.100$/m, 'prism-run-plugin -l: a param with its range');
like($out, qr/^  suffix +string +default "copy\.bin"$/m, 'prism-run-plugin -l: a string default');

($rc, $out) = run_cmd($runner, '-p', '{"quality": "high"}', plugin_path('ok'), $image);
is($rc, 2, 'prism-run-plugin bad params: exit 2');
like($out, qr/\Qparams.quality: expected integer 1..100, got "high"\E/, 'prism-run-plugin bad params: named');

($rc, $out) = run_cmd($runner, plugin_path('bad_abi'), $image);
is($rc, 2, 'prism-run-plugin ABI mismatch: exit 2');
like($out, qr/plugin ABI version 3/, 'prism-run-plugin ABI mismatch: said');

($rc, $out) = run_cmd($runner, plugin_path('reject'), $image);
is($rc, 1, 'prism-run-plugin reject: exit 1');
like($out, qr/reject: corrupt image \(test\)/, 'prism-run-plugin reject: reason shown');

# Mistakes that passed -t although every message would fail.
sub route_with { return [{ %{ route('a', plugin_path('ok')) }, @_ }] }
my %aws = (endpoint => $ENV{PRISM_AWS_ENDPOINT} || 'http://127.0.0.1:4566',
           credentials => { access_key_id => 'AKIDPRISMTEST', secret_access_key => 'prism-test-secret' });

($rc, $out) = check(route_with(completion_topic_arn => 'arn:aws:sqs:us-east-1:123456789012:prism-done'));
is($rc, 1, 'an SQS queue ARN as completion_topic_arn: -t exits 1');
like($out, qr/\Qroutes[0].completion_topic_arn: expected an SNS topic ARN (arn:PARTITION:sns:REGION:ACCOUNT:TOPIC), got an SQS queue ARN\E/,
     'an SQS queue ARN as completion_topic_arn: named');

($rc, $out) = check(route_with(queue_url => 'arn:aws:sns:us-east-1:123456789012:prism-uploads'));
is($rc, 1, 'a topic ARN as queue_url: -t exits 1');
like($out, qr/\Qroutes[0].queue_url: expected the queue's URL (https:\/\/sqs.REGION.amazonaws.com\/ACCOUNT\/NAME), got an SNS topic ARN\E/,
     'a topic ARN as queue_url: named');

($rc, $out) = check(route_with(dlq_url => 'http://127.0.0.1:1/123456789012/a'));
is($rc, 1, 'dlq_url equal to queue_url: -t exits 1');
like($out, qr/\Qroutes[0].dlq_url: the same queue as queue_url\E/, 'dlq_url equal to queue_url: named');

($rc, $out) = check([route('a', plugin_path('ok'))], aws => { %aws, region => 'us-east1' });
is($rc, 1, 'a misspelled region: -t exits 1');
like($out, qr/\Qaws.region: expected an AWS region such as us-east-1, got "us-east1"\E/,
     'a misspelled region: named');

($rc, $out) = check([route('a', plugin_path('ok'))], log => { file => "$tmp/no-such-dir/prism-host.log" });
is($rc, 1, 'a log file in a missing directory: -t exits 1');
like($out, qr/\Qlog.file: cannot write "$tmp\/no-such-dir\/prism-host.log": No such file or directory\E/,
     'a log file in a missing directory: named');

# Long options, and one version for every program (the VERSION file).
open($fh, '<', root() . '/VERSION') or die;
chomp(my $version = <$fh>);
close $fh;
for my $prog (qw(prism-host prism-run-plugin prism-aws prism-ddb prism-provision)) {
    my $bin = $prog eq 'prism-host' ? $host : $prog eq 'prism-run-plugin' ? $runner
            : root() . "/build/$prog";
    ($rc, $out) = run_cmd($bin, '--version');
    is($rc, 0, "$prog --version: exit 0");
    like($out, qr/^\Q$prog $version\E\b/, "$prog --version: the VERSION file's");
    ($rc, $out) = run_cmd($bin, '--help');
    is($rc, 0, "$prog --help: exit 0");
    like($out, qr/usage: /, "$prog --help: usage");
}
($rc, $out) = run_cmd($host, '--test', '--config', $file);
like($out, qr/\Qconfiguration file $file test\E/, 'prism-host --test --config: the file is checked');

# prism-run-plugin finds a plugin by name in the plugin directory.
($rc, $out) = run_cmd($runner, '-l', '--plugin-dir', root() . '/build/test-plugins', 'ok');
is($rc, 0, 'prism-run-plugin -l NAME: exit 0') or diag($out);
like($out, qr/^ok 1\.0\.0 \(plugin ABI 2\)$/m, 'prism-run-plugin -l NAME: found in --plugin-dir');
($rc, $out) = run_cmd('sh', '-c', 'cd ' . root() . "/build/test-plugins && $runner -l ./ok.so");
like($out, qr/^ok 1\.0\.0/m, 'prism-run-plugin -l ./x.so: a path, as before');
($rc, $out) = run_cmd($runner, '-l', '-d', "$tmp", 'ok.so');
is($rc, 2, 'prism-run-plugin -l NAME not in the directory: exit 2');
like($out, qr/\Qno plugin ok.so in $tmp: a file is named by a path, .\/ok.so\E/,
     'prism-run-plugin -l NAME not found: where it looked, and how to name a file');

# The example configuration, when the built-in plugins are built.
SKIP: {
    my @missing = grep { !-f root() . "/build/plugins/$_.so" } qw(thumbnail webp watermark avif);
    skip("built-in plugins not built: @missing", 3) if @missing;
    # the template, filled in with what provisioning would return (an
    # account of AWS's documentation)
    my $envf = File::Temp->new;
    for my $q (map { ("prism-$_", "prism-$_-dlq") } qw(thumbnail webp watermark avif)) {
        (my $var = uc "PRISM_QUEUE_URL_$q") =~ s/-/_/g;
        print $envf "$var='https://sqs.us-east-1.amazonaws.com/123456789012/$q'\n";
    }
    print $envf "PRISM_TOPIC_ARN_PRISM_COMPLETIONS='arn:aws:sns:us-east-1:123456789012:prism-completions'\n";
    close $envf;
    my $conf = File::Temp->new(SUFFIX => '.json');
    my ($rrc, $rout) = run_cmd('sh', '-c', 'cd ' . root() . " && scripts/render-conf.pl"
                               . " conf/prism-host.json.in $envf > $conf");
    is($rrc, 0, 'conf/prism-host.json.in renders') or diag($rout);
    my ($crc, $cout) = run_cmd('sh', '-c', 'cd ' . root() . " && $host -t -c $conf");
    is($crc, 0, 'conf/prism-host.json.in, rendered, passes -t') or diag($cout);
    like($cout, qr/test is successful/, 'conf/prism-host.json.in: successful');
}

done_testing();
