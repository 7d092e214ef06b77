# Fault (j): DynamoDB (the image records) is down for 60 s while uploads
# arrive, with production timing (visibility 30 s, maxReceiveCount 3).
# The first derivatives are stored; their record writes fail.  Nothing
# may be dead-lettered: the host's DynamoDB breaker opens (its routes stop
# receiving, the held messages wait, extended by the heartbeat), and once
# DynamoDB answers again every record is written, the held messages'
# without running their plugins again.  The keys are content-addressed
# (by-hash/{sha256}), so only the original's metadata, not its key, can
# confirm an image id: a retry that writes only the record must still know
# the original confirmed it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time);
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;

my $OUTAGE = 60;
my $s = PrismFaultStack->new('ddb-down-host', production => 1, record => 1, persist => 1,
                            nginx_loc => 'prism_key_template "by-hash/{sha256}.{ext}";')->start;
my $img = do { local $/; open my $fh, '<', "$FindBin::Bin/../data/images/png-rgb.png" or die; <$fh> };
my $t0 = time;
$s->stop_dynamodb;
my $n = 10;
my (@keys, @ids, $ok);
for (1 .. $n) {
    my $r = $s->upload($img . "upload $_");   # bytes after IEND: another SHA-256 each
    if ($r->{status} == 201) { $ok++; push @keys, $r->{json}{key}; push @ids, $r->{json}{imageId} }
}
is($ok, $n, 'every upload answered 201 (nginx does not need DynamoDB)');
my $trips = PrismFaultStack::wait_for($OUTAGE, sub { $s->metrics->{'prism_breaker_trips_total{dependency="dynamodb"}'} });
cmp_ok($trips // 0, '>=', 1, 'the DynamoDB breaker opened');
PrismFaultStack::wait_for($OUTAGE, sub { time - $t0 >= $OUTAGE });   # the outage's length
$s->local_aws('start') or die 'dynalite did not come back';
my $records = 0;
PrismFaultStack::wait_for(60, sub { ($records = $s->records(\@ids)) == $n });
my $f = $s->figures(\@keys);
my $memo_hits = () = $s->host_log =~ /outcome kept from an earlier attempt/g;
my @reasons = map { $_->{MessageAttributes}{'prism.reason'}{StringValue} // '(none)' }
              map { $s->dlq_messages($_) } PrismFaultStack::routes();
diag(PrismFaultStack::line("DynamoDB down ${OUTAGE}s at the host", $n, $ok, $f)
     . sprintf(' records=%d breaker_trips=%s plugin_skipped=%d runtime=%.0fs', $records, $trips // 0,
                $memo_hits, time - $t0));
diag("DLQ reason: $_") for @reasons;
is($records, $n, 'every image record is complete (all routes ok)');
is($f->{sets}, $n, 'every upload has its complete derivative set');
is($f->{distinct}, $n * 3, 'one derivative per route per upload');
is($f->{runs}, $n * 3, 'every message completed once (prism_messages_ok_total)');
is($f->{dlq}, 0, 'nothing dead-lettered');
# every worker's breaker closes once it sees DynamoDB again: wait, bounded
ok(PrismFaultStack::wait_for(60, sub { ($s->metrics->{'prism_breaker_open{dependency="dynamodb"}'} // 1) == 0 }),
   'the breakers are closed again');
cmp_ok($memo_hits, '>=', 1, 'held messages wrote their record without running the plugin again');
done_testing;
