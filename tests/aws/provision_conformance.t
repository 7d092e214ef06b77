# prism-provision up against an SQS endpoint whose GetQueueAttributes
# leaves out attributes AWS always reports (a stub on loopback, with STS):
# up names the attributes it could not read back and does not set them
# again and again — a second up sends no SetQueueAttributes either and
# ends "no changes"; an attribute the endpoint does report is still
# converged.
use strict;
use warnings;
use FindBin;
use File::Temp ();
use IO::Socket::INET;
use JSON::PP qw(decode_json encode_json);
use POSIX ();
use Test::More;

my $root = "$FindBin::Bin/../..";
my $provision = "$root/build/prism-provision";
die "build/prism-provision is not built (make)\n" unless -x $provision;

# The stub: STS GetCallerIdentity (account 123456789012, AWS's example),
# GetQueueUrl, GetQueueAttributes without VisibilityTimeout and with
# MessageRetentionPeriod 60 (the file wants 3600), SetQueueAttributes,
# ListQueueTags.  Every request's action goes to the log.
my $log = File::Temp->new;
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16,
                                ReuseAddr => 1) or die "listen: $!";
my $endpoint = 'http://127.0.0.1:' . $srv->sockport;
my $pid = fork // die "fork: $!";
if ($pid == 0) {
    my %attrs = (QueueArn => 'arn:aws:sqs:us-east-1:123456789012:conf-q',
                 MessageRetentionPeriod => '60');
    while (my $c = $srv->accept) {
        my ($head, $len) = ('', 0);
        while (my $line = <$c>) {
            $head .= $line;
            $len = $1 if $line =~ /^Content-Length:\s*(\d+)/i;
            last if $line eq "\r\n";
        }
        read($c, my $body, $len) if $len;
        my ($action) = $head =~ /^X-Amz-Target: AmazonSQS\.(\w+)/mi;
        ($action) = $body =~ /Action=(\w+)/ unless $action;
        $action //= '?';
        open my $fh, '>>', $log->filename or POSIX::_exit(1);
        print $fh "$action\n";
        close $fh;
        my ($type, $out) = ('application/x-amz-json-1.0', '{}');
        if ($action eq 'GetCallerIdentity') {
            ($type, $out) = ('text/xml', '<GetCallerIdentityResponse><GetCallerIdentityResult>'
                . '<Arn>arn:aws:iam::123456789012:user/t</Arn><UserId>U</UserId>'
                . '<Account>123456789012</Account></GetCallerIdentityResult>'
                . '</GetCallerIdentityResponse>');
        } elsif ($action eq 'GetQueueUrl') {
            $out = encode_json({ QueueUrl => "$endpoint/123456789012/conf-q" });
        } elsif ($action eq 'GetQueueAttributes') {
            $out = encode_json({ Attributes => \%attrs });
        } elsif ($action eq 'SetQueueAttributes') {
            my $set = decode_json($body)->{Attributes};
            delete $set->{VisibilityTimeout};    # never reported back
            %attrs = (%attrs, %$set);
        } elsif ($action eq 'ListQueueTags') {
            $out = encode_json({ Tags => { 'prism:stack' => 'conf' } });
        }
        print $c "HTTP/1.1 200 OK\r\nContent-Type: $type\r\nContent-Length: " . length($out)
               . "\r\nConnection: close\r\n\r\n$out";
        close $c;
    }
    POSIX::_exit(0);
}
close $srv;
END { local $?; if ($pid) { kill 'TERM', $pid; waitpid $pid, 0 } }

my $desc = File::Temp->new(SUFFIX => '.json');
print $desc encode_json({ stack => 'conf', queues => [ { name => 'conf-q',
    attributes => { VisibilityTimeout => 30, MessageRetentionPeriod => 3600 } } ] });
close $desc;

# up(): (exit status, output) of prism-provision up against the stub.
sub up {
    local $ENV{AWS_ACCESS_KEY_ID} = 'AKIDPRISMTEST';
    local $ENV{AWS_SECRET_ACCESS_KEY} = 'prism-test-secret';
    local $ENV{AWS_EC2_METADATA_DISABLED} = 'true';
    my $out = `$provision --endpoint-url $endpoint --region us-east-1 up -f $desc 2>&1`;
    return ($? >> 8, $out);
}
sub actions { open my $fh, '<', $log->filename or return (); my @a = <$fh>; chomp @a; truncate $log->filename, 0; return @a }

my ($rc, $out) = up();
is($rc, 0, 'up succeeds') or diag $out;
like($out, qr/^queue conf-q: warning: could not read back VisibilityTimeout: the endpoint's GetQueueAttributes leaves out what AWS always reports/m,
     'up names the attribute it could not read back') or diag $out;
like($out, qr/queue conf-q: MessageRetentionPeriod .*3600/, 'a reported attribute that differs is converged');
my @a = actions();
is(scalar(grep { $_ eq 'SetQueueAttributes' } @a), 1, 'one SetQueueAttributes (the reported attribute only)')
    or diag "@a";

($rc, $out) = up();
is($rc, 0, 'a second up succeeds') or diag $out;
like($out, qr/could not read back VisibilityTimeout/, 'and says again what it cannot check');
like($out, qr/^up: no changes, every resource is in place \(see the warnings above\)$/m,
     'but changes nothing: the unreadable attribute is not set again and again') or diag $out;
@a = actions();
is(scalar(grep { $_ eq 'SetQueueAttributes' } @a), 0, 'no SetQueueAttributes') or diag "@a";

done_testing();
