# scripts/deps.sh installing packages never stops a process it did not
# start: run on a copy of the script in a scratch tree, with stub
# apt-get, dpkg-query, systemctl, pkill, id and npm first on PATH that
# only record their calls (nothing is installed), while a decoy process
# named nginx runs.  The decoy must survive, no stop of nginx may be
# attempted, and the package's service must be kept from starting by a
# policy-rc.d that exits 101 during the install only, created and
# removed by the script (an operator's own policy-rc.d is left alone).
use strict;
use warnings;
use FindBin;
use File::Copy qw(copy);
use File::Path qw(make_path);
use File::Temp ();
use Test::More;

my $root = "$FindBin::Bin/../..";
my $tmp = File::Temp->newdir;
my ($tree, $bin, $log) = ("$tmp/tree", "$tmp/bin", "$tmp/calls.log");

# spew(FILE, TEXT, MODE): writes FILE.
sub spew {
    my ($file, $text, $mode) = @_;
    open my $fh, '>', $file or die "$file: $!";
    print $fh $text;
    close $fh or die "$file: $!";
    chmod $mode, $file if defined $mode;
}
sub slurp { my ($f) = @_; open my $fh, '<', $f or return ''; local $/; return scalar <$fh> }

# The scratch tree: the script, and an emulator install deps.sh finds
# complete, so only the Debian part runs.
make_path("$tree/scripts", "$tree/conf/local-aws", "$tree/.local/emulator/node_modules/.bin",
          "$tree/.local/emulator/node_modules/fauxqs", "$tree/.local/emulator/node_modules/dynalite",
          $bin);
copy("$root/scripts/deps.sh", "$tree/scripts/deps.sh") or die "copy: $!";
chmod 0755, "$tree/scripts/deps.sh";
for my $f ('package.json', 'package-lock.json') {
    spew("$tree/conf/local-aws/$f", "{}\n");
    spew("$tree/.local/emulator/$f", "{}\n");
}
spew("$tree/.local/emulator/node_modules/.bin/node", "#!/bin/sh\nexit 0\n", 0755);

# Stubs: each appends "NAME ARGS" to the log.  dpkg-query reports every
# package missing; apt-get install also records the policy-rc.d it sees
# and what that answers for "nginx start".
my $policy = "$tmp/policy-rc.d";
for my $name (qw(systemctl pkill npm dpkg-query)) {
    spew("$bin/$name", "#!/bin/sh\necho \"$name \$*\" >> '$log'\n"
         . ($name eq 'dpkg-query' ? "echo 'unknown ok not-installed'\n" : '') . "exit 0\n", 0755);
}
spew("$bin/id", "#!/bin/sh\necho 0\n", 0755);
spew("$bin/apt-get", <<"SH", 0755);
#!/bin/sh
echo "apt-get \$*" >> '$log'
case "\$*" in *install*)
    if [ -x '$policy' ]; then
        '$policy' nginx start; echo "policy-rc.d present, answers \$?" >> '$log'
    else
        echo "policy-rc.d absent" >> '$log'
    fi ;;
esac
exit 0
SH

# The decoy: a copy of sleep named nginx, started by this test.
copy('/bin/sleep', "$tmp/nginx") or die "copy sleep: $!";
chmod 0755, "$tmp/nginx";
my $decoy = fork;
die "fork: $!" unless defined $decoy;
if ($decoy == 0) { exec "$tmp/nginx", '300' or exit 127 }
END { local $?; if ($decoy) { kill 'TERM', $decoy; waitpid $decoy, 0 } }

# deps(): runs the copied script with the stubs; returns (status, output).
sub deps {
    local $ENV{PATH} = "$bin:$ENV{PATH}";
    local $ENV{PRISM_POLICY_RC_D} = $policy;
    my $out = `'$tree/scripts/deps.sh' 2>&1`;
    return ($? >> 8, $out);
}

# --- no policy-rc.d before: the script's own, for the install only --------------
my ($rc, $out) = deps();
is $rc, 0, 'deps.sh with every package "missing" exits 0' or diag $out;
like $out, qr/installing Debian packages/, 'it went through the install path';
my $calls = slurp($log);
like $calls, qr/^apt-get .*install/m, 'apt-get install was called (stub)';
ok kill(0, $decoy), 'the decoy process named nginx is still alive';
unlike $calls, qr/^(?:pkill|systemctl)\b.*nginx/m, 'no stop of nginx was attempted'
    or diag $calls;
like $calls, qr/^policy-rc\.d present, answers 101$/m,
     'during the install a policy-rc.d refused to start services (101)';
ok !-e $policy, 'the policy-rc.d is gone after the install';

# --- an operator's policy-rc.d is neither replaced nor removed -----------------------
unlink $log;
spew($policy, "#!/bin/sh\nexit 0\n", 0755);
($rc, $out) = deps();
is $rc, 0, 'deps.sh with an existing policy-rc.d exits 0' or diag $out;
is slurp($policy), "#!/bin/sh\nexit 0\n", 'the existing policy-rc.d is left as it was';
like slurp($log), qr/^policy-rc\.d present, answers 0$/m, 'and was the one in place during the install';
ok kill(0, $decoy), 'the decoy is still alive';

done_testing;
