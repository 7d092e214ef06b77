# PrismAwsCli — runs build/prism-aws for the tests in tests/aws/ against
# the local AWS emulator (or PRISM_AWS_ENDPOINT).
#
#   my ($rc, $out, $err) = cli(qw(sqs purge --queue-url), $url);
#
# With VALGRIND=1 every call runs under
#   valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
# so a memory error or a definite leak turns into exit status 99.
# Each call is killed after $TIMEOUT seconds (longer under valgrind).
package PrismAwsCli;

use strict;
use warnings;
use Exporter 'import';
use File::Temp ();
use JSON::PP ();
use FindBin ();
use POSIX ();

our @EXPORT = qw(cli cli_ok queue_url topic_arn account json_lines $ENDPOINT);

our $ENDPOINT = $ENV{PRISM_AWS_ENDPOINT} || 'http://127.0.0.1:4566';
my $ACCOUNT;
our $CLI = "$FindBin::Bin/../../build/prism-aws";
our $TIMEOUT = $ENV{VALGRIND} ? 600 : 120;

$ENV{PRISM_AWS_ENDPOINT} = $ENDPOINT;
$ENV{AWS_REGION} = 'us-east-1';
$ENV{AWS_ACCESS_KEY_ID} ||= 'AKIDLOCALPRISM';
$ENV{AWS_SECRET_ACCESS_KEY} ||= 'local-secret-not-checked-by-the-emulator';
$ENV{AWS_EC2_METADATA_DISABLED} = 'true';
delete @ENV{qw(AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_REGION)};

die "prism-aws is not built: run make build/prism-aws\n" unless -x $CLI;

# account(): the caller's account id, from STS GetCallerIdentity (asked
# once, when first needed: a suite may start its emulator first).
sub account {
    $ACCOUNT //= JSON::PP::decode_json(cli_ok('sts', 'identity'))->{account};
    return $ACCOUNT;
}

# Returns the emulator URL of queue NAME, the ARN of topic NAME.
sub queue_url { "$ENDPOINT/" . account() . "/$_[0]" }
sub topic_arn { 'arn:aws:sns:us-east-1:' . account() . ":$_[0]" }

# Runs prism-aws with ARGS; returns (exit status, stdout, stderr).
sub cli {
    my @cmd = ($CLI, @_);
    unshift @cmd, qw(valgrind -q --error-exitcode=99 --leak-check=full
                     --errors-for-leak-kinds=definite) if $ENV{VALGRIND};
    my $out = File::Temp->new;
    my $err = File::Temp->new;
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        open STDOUT, '>&', $out or POSIX::_exit(127);
        open STDERR, '>&', $err or POSIX::_exit(127);
        exec @cmd or POSIX::_exit(127);
    }
    my $status;
    eval {
        local $SIG{ALRM} = sub { die "timeout\n" };
        alarm $TIMEOUT;
        waitpid $pid, 0;
        $status = $?;
        alarm 0;
    };
    if ($@) {
        kill 'KILL', $pid;
        waitpid $pid, 0;
        return (124, '', "prism-aws @_: killed after ${TIMEOUT}s\n");
    }
    return ($status & 127 ? 128 + ($status & 127) : $status >> 8, slurp($out), slurp($err));
}

# Runs prism-aws, fails the script when it does not exit 0; returns stdout.
sub cli_ok {
    my ($rc, $out, $err) = cli(@_);
    die "prism-aws @_ failed ($rc): $err" if $rc != 0;
    return $out;
}

# Decodes each line of TEXT as JSON; returns the list.
sub json_lines {
    my ($text) = @_;
    require JSON::PP;
    return map { JSON::PP::decode_json($_) } grep { length } split /\n/, $text;
}

sub slurp {
    my ($fh) = @_;
    seek $fh, 0, 0;
    local $/;
    my $s = <$fh>;
    return defined $s ? $s : '';
}

1;
