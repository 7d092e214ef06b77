# The examples of README.md and docs/*.md that are marked as runnable are
# run or checked, so that the documentation cannot drift from the code.
#
# A marker is an HTML comment on the line before a fenced block:
#
#   <!-- prism-doc: KIND [ARG] -->
#
#   sh             run with bash -e in a scratch directory where build/,
#                  conf/, examples/, host/, scripts/ and tests/ of the tree
#                  are linked, build/ first in PATH (the installed programs)
#   nginx          a whole nginx.conf: nginx -t, with the module built here
#   nginx http     directives of the http block: the same, wrapped in one
#   nginx location directives of a location: wrapped in http/server/location
#   host-config    a prism-host configuration: prism-host -t
#   resources      a resource description: parsed and resolved by
#                  prism-provision policy
#   policy ROLE    the output of prism-provision policy --role ROLE for
#                  conf/resources.json (region eu-west-1, account
#                  123456789012): the block must equal it
#   lookup-answer  "$ curl URL" then a lookup's JSON answer: parsed; the
#                  image id (a UUIDv7) must be the one of the URL, its time
#                  the uploadedAt, the key the default key template's
#   json           parsed
#
# Examples describe an installed system; before checking, these installed
# paths and names are mapped to this tree (and nothing else is changed):
# the module and plugin directories of "make install" (PREFIX /usr/local)
# to build/, /var/log/prism/ and /run/ to the scratch directory, the
# "prism" user to "nobody".
#
# Every relative link and every FILE.md named in the text must exist.
use strict;
use warnings;
use File::Temp qw(tempdir);
use FindBin;
use JSON::PP;
use POSIX qw(strftime);
use Test::More;

my $root = "$FindBin::Bin/../..";
chdir $root or die "$root: $!";
$root = `pwd`; chomp $root;
my $nginx = $ENV{TEST_NGINX_BINARY} || '/usr/sbin/nginx';
my $module = "$root/build/nginx/objs/ngx_http_prism_module.so";
# where make install and the Debian packages put things, and where the
# tree has them built
my %installed = ('/usr/local/lib/nginx/modules/' => "$root/build/nginx/objs/",
                 '/usr/local/lib/prism/plugins/' => "$root/build/plugins/",
                 '/usr/lib/nginx/modules/'       => "$root/build/nginx/objs/",
                 '/usr/lib/prism/plugins/'       => "$root/build/plugins/");
$ENV{AWS_ACCESS_KEY_ID} //= 'AKIDPRISMDOCS';
$ENV{AWS_SECRET_ACCESS_KEY} //= 'prism-docs-secret';
$ENV{AWS_REGION} //= 'eu-west-1';

# run(CMD...): (exit status, stdout and stderr).
sub run {
    my $out = `@{[ map { "'" . s/'/'\\''/gr . "'" } @_ ]} 2>&1`;
    return ($? >> 8, $out);
}

# A fresh scratch directory with the tree's build/, conf/, include/, scripts/, tests/.
sub scratch {
    my $dir = tempdir(CLEANUP => 1);
    symlink("$root/$_", "$dir/$_") or die "$dir/$_: $!" for qw(build conf examples host include scripts tests);
    mkdir "$dir/logs";
    return $dir;
}

# The example mapped from an installed system to this tree.
sub localize {
    my ($text, $dir) = @_;
    for my $from (sort keys %installed) {
        $text =~ s/\Q$from\E/$installed{$from}/g;
    }
    $text =~ s{/var/log/prism/|/run/}{$dir/}g;
    $text =~ s/"user":\s*"prism"/"user": "nobody"/g;
    return $text;
}

sub write_file {
    my ($file, $text) = @_;
    open(my $fh, '>', $file) or die "$file: $!";
    print $fh $text;
    close $fh;
    return $file;
}

# Checkers: (NAME, TEXT, ARG) -> a test.
my %check;

$check{sh} = sub {
    my ($name, $text) = @_;
    my $dir = scratch();
    local $ENV{PATH} = "$root/build:$ENV{PATH}";
    my ($rc, $out) = run('bash', '-ec', "cd '$dir'\n$text");
    is($rc, 0, "$name runs") or diag($out);
};

$check{nginx} = sub {
    my ($name, $text, $arg) = @_;
    my $dir = scratch();
    $arg //= '';
    $text = "http {\n$text\n}\n" if $arg eq 'http';
    $text = "http {\n server {\n  location /example {\n$text\n  }\n }\n}\n" if $arg eq 'location';
    if ($text =~ /^\s*load_module\s+(\S+);/m) {
        my $path = $1;
        ok(grep({ $path eq "${_}ngx_http_prism_module.so" } keys %installed)
           || $path eq 'build/nginx/objs/ngx_http_prism_module.so',
           "$name: load_module names the installed module or the build's") or diag($path);
    } else {
        $text = "load_module $module;\n$text";
    }
    $text = localize($text, $dir);
    $text =~ s{^\s*load_module\s+build/}{load_module $root/build/}m;
    $text .= "\nevents {}\n" unless $text =~ /^\s*events\s*\{/m;
    $text = "pid $dir/nginx.pid;\n$text" unless $text =~ /^\s*pid\s/m;
    my $conf = write_file("$dir/nginx.conf", $text);
    my ($rc, $out) = run($nginx, '-t', '-q', '-p', "$dir/", '-c', $conf, '-e', "$dir/logs/error.log");
    is($rc, 0, "$name passes nginx -t") or diag($out);
};

$check{'host-config'} = sub {
    my ($name, $text) = @_;
    my $dir = scratch();
    my $conf = write_file("$dir/prism-host.json", localize($text, $dir));
    my ($rc, $out) = run("$root/build/prism-host", '-t', '-c', $conf);
    is($rc, 0, "$name passes prism-host -t") or diag($out);
};

$check{resources} = sub {
    my ($name, $text) = @_;
    my $dir = scratch();
    my $file = write_file("$dir/resources.json", $text);
    my ($rc, $out) = run("$root/build/prism-provision", '--region', 'eu-west-1', 'policy',
                         '-f', $file, '--account', '123456789012');
    is($rc, 0, "$name is a valid resource description") or diag($out);
};

$check{policy} = sub {
    my ($name, $text, $role) = @_;
    my ($rc, $out) = run("$root/build/prism-provision", '--region', 'eu-west-1', 'policy',
                         '-f', 'conf/resources.json', '--account', '123456789012', '--role', $role);
    is($rc, 0, "$name: prism-provision policy --role $role") or diag($out);
    is($text, $out, "$name is what prism-provision policy prints");
};

$check{'lookup-answer'} = sub {
    my ($name, $text) = @_;
    my ($url, $json) = $text =~ /\A\$ curl \S+ (\S+)\n(.*)\z/s or return fail("$name: \$ curl URL, then JSON");
    my $doc = eval { decode_json($json) } or return fail("$name: the answer is JSON: $@");
    my $id = $doc->{imageId} // '';
    is($url =~ m{/([^/]+)$} && $1, $id, "$name: the answer is the URL's image");
    (my $hex = $id) =~ s/-//g;
    my $ms = do { no warnings 'portable'; hex(substr($hex, 0, 12)) };   # 48 bits of milliseconds
    my $at = strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($ms / 1000));
    is($at, $doc->{uploadedAt}, "$name: the id's time is uploadedAt");
    my ($y, $m, $d) = $at =~ /^(\d+)-(\d+)-(\d+)/;
    (my $ext = $doc->{contentType} // '') =~ s{^image/(jpeg)?}{$1 ? 'jpg' : ''}e;
    is($doc->{key}, "$y/$m/$d/$id.$ext", "$name: the key is the default template's");
};

$check{json} = sub {
    my ($name, $text) = @_;
    ok(eval { decode_json($text); 1 }, "$name is JSON") or diag($@);
};

my @docs = ('README.md', glob('docs/*.md'));
my $examples = 0;
for my $doc (@docs) {
    open(my $fh, '<', $doc) or die "$doc: $!";
    my @lines = <$fh>;
    close $fh;
    (my $dir = $doc) =~ s{[^/]*$}{};
    my $in_code = 0;
    for my $i (0 .. $#lines) {
        my $line = $lines[$i];
        $in_code = !$in_code if $line =~ /^```/;
        if (!$in_code) {
            # links and FILE.md mentions
            for my $target ($line =~ /\]\(([^)#\s]+)/g, $line =~ /(?<![\w\/.(-])([\w.\/-]+\.md)\b/g) {
                next if $target =~ m{^[a-z]+://};
                ok(-e "$dir$target" || -e $target, "$doc:" . ($i + 1) . ": $target exists");
            }
        }
        my ($kind, $arg) = $line =~ /^<!--\s*prism-doc:\s*(\S+)(?:\s+(\S+))?\s*-->/ or next;
        my $name = "$doc:" . ($i + 2) . " ($kind)";
        ok($check{$kind}, "$name: a known kind") or next;
        my $j = $i + 1;
        $j++ while $j <= $#lines && $lines[$j] =~ /^\s*$/;
        ok($j <= $#lines && $lines[$j] =~ /^```/, "$name: a fenced block follows") or next;
        my $text = '';
        $text .= $lines[$j] while ++$j <= $#lines && $lines[$j] !~ /^```/;
        $check{$kind}->($name, $text, $arg);
        $examples++;
    }
}
ok($examples > 0, "$examples examples checked");

done_testing();
