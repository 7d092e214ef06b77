#!/usr/bin/perl
# Renders a configuration template (conf/*.in) on stdout: every
# ${PRISM_NAME} is replaced by its value, taken from the ENV_FILEs
# (NAME='value' lines, as "prism-provision up --write-env FILE" and
# scripts/local-aws.sh start write them: PRISM_ACCOUNT_ID,
# PRISM_TOPIC_ARN_<NAME>, PRISM_QUEUE_URL_<NAME>, ...), else from the
# environment.  Other text (nginx's $variables, ${host}) is left alone.
# Exits 1 naming every placeholder without a value, 2 on a usage error.
#
#   scripts/render-conf.pl conf/nginx.conf.in .local/aws/resources.env > nginx.conf
#   scripts/render-conf.pl conf/prism-host.json.in .local/aws/resources.env > prism-host.json
use strict;
use warnings;

die "usage: $0 TEMPLATE [ENV_FILE...]\n" unless @ARGV >= 1;
my ($template, @env_files) = @ARGV;
if ($template eq '-h' || $template eq '--help') {
    print "usage: $0 TEMPLATE [ENV_FILE...]\n";
    exit 0;
}

# read_env(FILE): the NAME='value' (or NAME=value) assignments of FILE.
sub read_env {
    my ($file) = @_;
    open my $fh, '<', $file or die "render-conf: $file: $!\n";
    my %v;
    while (my $line = <$fh>) {
        next unless $line =~ /^(?:export\s+)?([A-Z][A-Z0-9_]*)=(.*)$/;
        my ($name, $value) = ($1, $2);
        $value = $1 =~ s/'\\''/'/gr if $value =~ /^'(.*)'$/;
        $v{$name} = $value;
    }
    return %v;
}

my %values = (%ENV, map { read_env($_) } @env_files);
open my $in, '<', $template or die "render-conf: $template: $!\n";
my $text = do { local $/; <$in> };
my %missing;
$text =~ s{\$\{(PRISM_[A-Z0-9_]+)\}}{
    defined $values{$1} ? $values{$1} : do { $missing{$1} = 1; "\${$1}" }
}ge;
if (%missing) {
    print STDERR "render-conf: $template: no value for ", join(', ', sort keys %missing), "\n";
    exit 1;
}
print $text;
