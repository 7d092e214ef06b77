# Fault (f): a plugin crashes (SIGSEGV) on one specific image.  The worker
# dies, the master replaces it and records which message was in the plugin
# (host/crash_ledger.h); redelivered, that message goes to the route's DLQ
# with a "plugin crashed" reason instead of reaching the plugin again (after
# one crash when it was alone in a plugin, two otherwise).  Every other
# upload gets its complete derivative set, on every route, and no message
# of another upload is dead-lettered.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;

my $root = PrismFaultStack::root();
my $probe = PrismFaultStack->new('plugin-crash', visibility => 3);
my $so = $probe->dir . '/bin/crash_on.so';
system("cc -std=gnu11 -Wall -Wextra -Werror -shared -fPIC -I$root/include -o $so $FindBin::Bin/plugins/crash_on.c") == 0
    or BAIL_OUT('cannot build tests/faults/plugins/crash_on.c');

$probe->start_aws;    # the queue URLs carry the account the emulator reports
my $q = $probe->endpoint . '/' . $probe->account;
my %normal = (
    webp      => { quality => 70, max_dimension => 256 },
    watermark => { logo => "$root/tests/data/watermark/logo.png", gravity => 'south-east', opacity => 0.5 },
);
$probe->{routes} = [
    # png-rgb.png is 150 pixels wide, jpeg-baseline-420.jpg 161
    { name => 'thumbnail', queue_url => "$q/prism-thumbnail", dlq_url => "$q/prism-thumbnail-dlq",
      plugin => $so, plugin_params => { width => 150 }, output => { bucket => 'prism-derived' } },
    map { { name => $_, queue_url => "$q/prism-$_", dlq_url => "$q/prism-$_-dlq",
            plugin => $probe->bin("$_.so"), plugin_params => $normal{$_},
            output => { bucket => 'prism-derived' } } } qw(webp watermark),
];
my $s = $probe->start;

sub slurp { local $/; open my $fh, '<', $_[0] or die "$_[0]: $!"; return <$fh> }
my $jpeg = slurp("$FindBin::Bin/../data/images/jpeg-baseline-420.jpg");
my $png = slurp("$FindBin::Bin/../data/images/png-rgb.png");
my $n = 21;
my (@keys, $ok, $bad);
for my $i (1 .. $n) {
    my $r = $s->upload($i == 8 ? $png : $jpeg);
    next unless $r->{status} == 201;
    $ok++;
    if ($i == 8) { $bad = $r->{json}{key} } else { push @keys, $r->{json}{key} }
}
is($ok, $n, 'every upload answered 201');
my $f = $s->wait_sets(\@keys, 25);
my $dead = PrismFaultStack::wait_for(40, sub { $s->queue_count('prism-thumbnail-dlq') >= 1 });
$f = $s->figures(\@keys);
my $bad_set = $s->figures([$bad], qw(webp watermark));
diag(PrismFaultStack::line('plugin crash on one image', $n, $ok, $s->figures([@keys, $bad]))
     . sprintf(' worker_restarts=%d', $s->metrics->{prism_worker_restarts_total} // 0));
ok($dead, 'the crashing message reached the thumbnail DLQ');
my @dlq = $s->dlq_messages('thumbnail');
my @dead_bodies = map { $_->{Body} // '' } (@dlq, map { $s->dlq_messages($_) } qw(webp watermark));
my $unaccounted = grep { my $k = $_; !$s->figures([$k])->{sets} && !grep { index($_, $k) >= 0 } @dead_bodies } @keys;
is($unaccounted, 0, 'every other upload has its complete derivative set or a message in a DLQ (nothing lost)');
is($f->{sets}, $n - 1, 'every other upload has its complete derivative set');
my @culprit = grep { ($_->{Body} // '') =~ /\Q$bad\E/ } @dlq;
is(scalar @culprit, 1, 'the crashing image\'s message is in the thumbnail DLQ');
like(($culprit[0] // {})->{MessageAttributes}{'prism.reason'}{StringValue} // '',
     qr/^plugin crashed .*signal 11, SIGSEGV/, 'it carries the crash as its prism.reason');
my @all = (@dlq, map { $s->dlq_messages($_) } qw(webp watermark));
my $others = grep { ($_->{Body} // '') !~ /\Q$bad\E/ } @all;
is($others, 0, 'no message of another upload in any DLQ');
diag(sprintf 'DLQ: %d message(s), %d of them of other uploads; the crashing image\'s webp/watermark set '
           . 'complete: %s', scalar @all, $others, $bad_set->{sets} ? 'yes' : 'no');
my $restarts = $s->metrics->{prism_worker_restarts_total} // 0;
ok($restarts >= 1 && $restarts <= 2, "the crasher crashed a worker once or twice, not up to maxReceiveCount ($restarts)");
is($s->figures([@keys, $bad])->{stray}, 0, 'no derivative without a 2xx upload');
done_testing;
