#!/usr/bin/perl
# tests/chainlint.pl - finds broken && chains in test bodies (after git's
# t/chainlint). A test body runs under `set -e`, but bash ignores `set -e`
# in every command of an && or || list except the last, and inside any
# function called from one; so a body whose commands are not all joined by
# && can lose a failure and pass. This tool reads each script named on the
# command line, finds the body of every test_expect_success (its last
# argument), parses it as shell and reports:
#
#   - a command followed by another one on a new line (or after `;`)
#     without && between them: a broken chain;
#   - a for/while/until loop whose body does not end in `|| exit 1` (or
#     `|| return 1`): a failure in an early iteration would be lost;
#   - `a && b &`: the & puts the whole chain in the background;
#   - turnout (tn, tn_err, "$TURNOUT") piped into another command, or run
#     in a $(...) inside another command's argument: its exit status is
#     lost (write its output to a file, or assign it: `x=$(tn ...) &&`);
#   - a here-document or a quote that never ends.
#
# Allowed without &&: a line ending in `|`, `||`, `&` (a background job),
# a command that ends in `exit`/`return` (also `|| { ...; exit 1; }`), and a
# command followed by `exit`, `return` or `false`. Here-document bodies,
# comments, blank lines and multi-line quoted strings are not commands.
# Only the bodies are checked, not the script's top level.
#
# usage: perl tests/chainlint.pl tests/t*.sh
# Prints FILE:LINE: PROBLEM: LINE for each finding; exits 1 if there was one.

use strict;
use warnings;

# ---- Lexer: shell text to tokens -----------------------------------------
#
# A token is { t => text, kind => 'word' | 'op' | 'nl', line => first line,
# eline => last line }. A word keeps its quotes; $(...), ${...} and `...`
# stay inside the word they belong to. Here-document bodies are skipped at
# the newline that ends their command line.

package Lexer;

sub new {
	my ($class, $text) = @_;
	my $self = bless { s => $text, line => 1, pending => [], errors => [] }, $class;
	pos($self->{s}) = 0;
	return $self;
}

sub error {
	my ($self, $line, $msg) = @_;
	push @{$self->{errors}}, [$line, $msg];
}

# Consume TEXT already matched, counting its newlines.
sub count_lines {
	my ($self, $text) = @_;
	$self->{line} += ($text =~ tr/\n//);
}

sub next_token {
	my $self = shift;
	my $s = \$self->{s};
	while (1) {
		if ($$s =~ /\G[ \t\r]+/gc) { next }
		if ($$s =~ /\G\\\n/gc) { $self->{line}++; next }
		if ($$s =~ /\G#[^\n]*/gc) { next }
		last;
	}
	return undef if pos($$s) >= length($$s);
	my $line = $self->{line};
	if ($$s =~ /\G\n/gc) {
		$self->{line}++;
		$self->read_heredocs;
		return { t => "\n", kind => 'nl', line => $line, eline => $line };
	}
	if ($$s =~ /\G(<<-?)(?!<)/gc) {
		my $op = $1;
		$$s =~ /\G[ \t]*/gc;
		my $w = $self->read_word;
		my $delim = defined $w ? main::unwrap($w) : '';
		if ($delim eq '') {
			$self->error($line, "here-document without a delimiter");
		} else {
			push @{$self->{pending}}, { delim => $delim, strip => $op eq '<<-', line => $line };
		}
		return { t => $op . ($w // ''), kind => 'op', line => $line, eline => $line };
	}
	if ($$s =~ /\G(&&|\|\||;;|<<<|&>>|&>|>>|>&|<&|<>|>\||\|&|[;&|<>()])/gc) {
		return { t => $1, kind => 'op', line => $line, eline => $line };
	}
	my $w = $self->read_word;
	if ($w eq '') {
		$$s =~ /\G(.)/sgc;
		$w = $1;
	}
	return { t => $w, kind => 'word', line => $line, eline => $self->{line} };
}

# After a newline: skip the bodies of the here-documents opened on the line
# just ended, in order.
sub read_heredocs {
	my $self = shift;
	my $s = \$self->{s};
	while (my $h = shift @{$self->{pending}}) {
		my $found = 0;
		while (pos($$s) < length($$s)) {
			$$s =~ /\G([^\n]*)(\n|\z)/gc or last;
			my ($text, $nl) = ($1, $2);
			$self->{line}++ if $nl eq "\n";
			$text =~ s/^\t+// if $h->{strip};
			if ($text eq $h->{delim}) { $found = 1; last }
		}
		$self->error($h->{line}, "here-document '$h->{delim}' never ends") unless $found;
	}
}

# One word, from the current position to the first unquoted blank or
# operator character.
sub read_word {
	my $self = shift;
	my $s = \$self->{s};
	my $start = pos($$s);
	my $line = $self->{line};
	while (1) {
		if ($$s =~ /\G[^\s;&|<>()'"\\\$`]+/gc) { next }
		if ($$s =~ /\G'/gc) {
			if ($$s =~ /\G([^']*)'/gc) { $self->count_lines($1) }
			else { $self->error($line, "unterminated '-quoted string"); pos($$s) = length($$s) }
			next;
		}
		if ($$s =~ /\G"/gc) { $self->read_dquoted($line); next }
		if ($$s =~ /\G\\(.)/sgc) { $self->{line}++ if $1 eq "\n"; next }
		if ($$s =~ /\G\$/gc) { $self->read_dollar($line); next }
		if ($$s =~ /\G`/gc) { $self->read_backquoted($line); next }
		last;
	}
	return substr($$s, $start, pos($$s) - $start);
}

sub read_dquoted {
	my ($self, $line) = @_;
	my $s = \$self->{s};
	while (1) {
		if ($$s =~ /\G([^"\\\$`]+)/gc) { $self->count_lines($1); next }
		if ($$s =~ /\G"/gc) { return }
		if ($$s =~ /\G\\(.)/sgc) { $self->{line}++ if $1 eq "\n"; next }
		if ($$s =~ /\G\$/gc) { $self->read_dollar($line); next }
		if ($$s =~ /\G`/gc) { $self->read_backquoted($line); next }
		$self->error($line, "unterminated \"-quoted string");
		pos($$s) = length($$s);
		return;
	}
}

sub read_backquoted {
	my ($self, $line) = @_;
	my $s = \$self->{s};
	if ($$s =~ /\G((?:[^`\\]|\\.)*)`/sgc) { $self->count_lines($1); return }
	$self->error($line, "unterminated `...`");
	pos($$s) = length($$s);
}

# After a $: $((...)), $(...), ${...} or a plain parameter.
sub read_dollar {
	my ($self, $line) = @_;
	my $s = \$self->{s};
	if ($$s =~ /\G(?=\(\()/gc) { $self->read_balanced('(', ')', $line); return }
	if ($$s =~ /\G\(/gc) {
		# A command substitution: shell tokens up to the matching ).
		my $depth = 1;
		while (defined(my $t = $self->next_token)) {
			next unless $t->{kind} eq 'op';
			$depth++ if $t->{t} eq '(';
			$depth-- if $t->{t} eq ')';
			return if $depth == 0;
		}
		$self->error($line, "unterminated \$(...)");
		return;
	}
	if ($$s =~ /\G(?=\{)/gc) { $self->read_balanced('{', '}', $line); return }
}

sub read_balanced {
	my ($self, $open, $close, $line) = @_;
	my $s = \$self->{s};
	my $depth = 0;
	while ($$s =~ /\G(.)/sgc) {
		my $c = $1;
		$self->{line}++ if $c eq "\n";
		$depth++ if $c eq $open;
		$depth-- if $c eq $close;
		return if $depth == 0;
	}
	$self->error($line, "unterminated $open...$close");
}

# ---- Parser: tokens to commands, with the checks -------------------------
#
# A list is a sequence of and-or lists (pipelines joined by && or ||), each
# ended by a newline, `;` or `&`. Two and-or lists in one list are where a
# chain breaks.

package Parser;

my %REDIRECT = map { $_ => 1 } qw(< > >> >& <& &> &>> <> >| <<<);

# The program under test, as the test scripts call it.
my $TURNOUT = qr/(?:tn|tn_err|"?\$(?:TURNOUT|\{TURNOUT\})"?)/;

sub new {
	my ($class, $text) = @_;
	return bless { lex => Lexer->new($text), buf => [], problems => [], exits => 0 }, $class;
}

sub problem {
	my ($self, $line, $msg) = @_;
	push @{$self->{problems}}, [$line, $msg];
}

sub peek {
	my $self = shift;
	push @{$self->{buf}}, $self->{lex}->next_token unless @{$self->{buf}};
	return $self->{buf}[0];
}

sub next {
	my $self = shift;
	my $t = @{$self->{buf}} ? shift @{$self->{buf}} : $self->{lex}->next_token;
	$self->{last_line} = $t->{eline} if $t;
	return $t;
}

sub is_word { my ($t, $w) = @_; return $t && $t->{kind} eq 'word' && $t->{t} eq $w }
sub is_op { my ($t, $o) = @_; return $t && $t->{kind} eq 'op' && $t->{t} eq $o }

sub skip_newlines {
	my $self = shift;
	$self->next while ($self->peek && $self->peek->{kind} eq 'nl');
}

sub expect {
	my ($self, $w) = @_;
	my $t = $self->peek;
	if ($t && $t->{t} eq $w) { $self->next; return 1 }
	$self->problem($t ? $t->{line} : $self->{last_line} // 1,
		"expected '$w', found " . ($t ? "'" . ($t->{kind} eq 'nl' ? '\n' : $t->{t}) . "'" : "the end"));
	return 0;
}

# A word or operator that ends the list being read (only where a command
# would start: `done` as an argument is just a word).
sub is_stop {
	my ($t, $stops) = @_;
	return 0 unless $t;
	return $stops->{$t->{t}} if $t->{kind} eq 'word' || $t->{kind} eq 'op';
	return 0;
}

sub parse_list {
	my ($self, $stops) = @_;
	my (@items, $prev);
	while (1) {
		$self->skip_newlines;
		my $t = $self->peek;
		last if !$t || is_stop($t, $stops);
		my $ao = $self->parse_and_or;
		last unless $ao;
		if ($prev && $prev->{sep} ne '&' && $prev->{sep} ne '' &&
		    !$prev->{ends_in_exit} && !$ao->{starts_with_failure}) {
			$self->problem($prev->{last_line}, "broken && chain");
		}
		push @items, $ao;
		$prev = $ao;
	}
	return \@items;
}

sub parse_and_or {
	my $self = shift;
	my @pipes = ($self->parse_pipeline // return undef);
	while (is_op($self->peek, '&&') || is_op($self->peek, '||')) {
		$self->next;
		$self->skip_newlines;
		push @pipes, ($self->parse_pipeline // last);
	}
	my $ao = {
		pipes => \@pipes,
		last_line => $self->{last_line},
		ends_in_exit => $pipes[-1]{ends_in_exit},
		starts_with_failure => $pipes[0]{name} =~ /^(?:exit|return|false)$/ ? 1 : 0,
		sep => '',
	};
	my $t = $self->peek;
	if (is_op($t, ';') || is_op($t, '&') || ($t && $t->{kind} eq 'nl')) {
		$self->next;
		$ao->{sep} = $t->{kind} eq 'nl' ? "\n" : $t->{t};
	}
	if ($ao->{sep} eq '&' && @pipes > 1) {
		$self->problem($ao->{last_line}, "'&' puts the whole && chain in the background (use { cmd & } &&)");
	}
	return $ao;
}

sub parse_pipeline {
	my $self = shift;
	$self->next if is_word($self->peek, '!');
	my @cmds = ($self->parse_command // return undef);
	while (is_op($self->peek, '|') || is_op($self->peek, '|&')) {
		$self->problem($self->{last_line}, "turnout's exit status is lost in a pipe")
			if $cmds[-1]{name} =~ /^$TURNOUT$/;
		$self->next;
		$self->skip_newlines;
		push @cmds, ($self->parse_command // last);
	}
	return $cmds[-1];
}

# Words and redirections after a compound command (`done >out`).
sub parse_redirections {
	my $self = shift;
	while (my $t = $self->peek) {
		last unless $t->{kind} eq 'op' && ($REDIRECT{$t->{t}} || $t->{t} =~ /^<</);
		$self->next;
		my $heredoc = $t->{t} =~ /^<<(?!<)/;	# holds its delimiter
		$self->next if !$heredoc && $self->peek && $self->peek->{kind} eq 'word';
	}
}

# Parses one command; returns { name, kind, ends_in_exit, has_exit }.
sub parse_command {
	my $self = shift;
	my $t = $self->peek;
	return undef unless $t;
	my $exits = $self->{exits};
	my $cmd;
	if ($t->{kind} eq 'word' && $t->{t} =~ /^(?:if|for|while|until|case|\{|\[\[)$/) {
		my $kw = $t->{t};
		$cmd = $kw eq 'if' ? $self->parse_if
		     : $kw eq 'for' ? $self->parse_for
		     : $kw eq 'case' ? $self->parse_case
		     : $kw eq '{' ? $self->parse_group('{', '}')
		     : $kw eq '[[' ? $self->parse_test
		     : $self->parse_while;
	} elsif (is_op($t, '(')) {
		$cmd = $self->parse_group('(', ')');
	} else {
		$cmd = $self->parse_simple or return undef;
	}
	$cmd->{has_exit} = $self->{exits} > $exits;
	$self->parse_redirections unless $cmd->{kind} eq 'simple';
	return $cmd;
}

sub parse_simple {
	my $self = shift;
	my @words;
	while (my $t = $self->peek) {
		last if $t->{kind} eq 'nl';
		if ($t->{kind} eq 'op') {
			last unless $REDIRECT{$t->{t}} || $t->{t} =~ /^<</;
		}
		push @words, $self->next->{t};
		# name() { ...; }: a function definition
		if (@words == 1 && is_op($self->peek, '(')) {
			$self->next;
			$self->expect(')');
			$self->skip_newlines;
			$self->parse_command;
			return { name => $words[0], kind => 'function', ends_in_exit => 0 };
		}
	}
	unless (@words) {
		my $t = $self->next;
		$self->problem($t->{line}, "unexpected '$t->{t}'");
		return undef;
	}
	my @args = grep { !/^[A-Za-z_][A-Za-z0-9_]*=/ } @words;
	my $name = $args[0] // '';
	# An assignment alone keeps the status of its $(...); an argument does not.
	$self->problem($self->{last_line}, "turnout's exit status is lost in a \$(...) argument")
		if grep { /\$\(\s*$TURNOUT\s/ } @args;
	my $exit = $name =~ /^(?:exit|return)$/;
	$self->{exits}++ if $exit;
	return { name => $name, kind => 'simple', ends_in_exit => $exit };
}

sub parse_group {
	my ($self, $open, $close) = @_;
	$self->next;
	my $items = $self->parse_list({ $close => 1 });
	$self->expect($close);
	return { name => $open, kind => 'group',
		 ends_in_exit => @$items && $items->[-1]{ends_in_exit} ? 1 : 0 };
}

sub parse_test {
	my $self = shift;
	$self->next;
	while (my $t = $self->next) {
		return { name => '[[', kind => 'simple', ends_in_exit => 0 } if is_word($t, ']]');
	}
	$self->problem($self->{last_line}, "unterminated [[");
	return { name => '[[', kind => 'simple', ends_in_exit => 0 };
}

sub parse_if {
	my $self = shift;
	$self->next;
	while (1) {
		$self->parse_list({ then => 1 });
		$self->expect('then') or last;
		$self->parse_list({ elif => 1, else => 1, fi => 1 });
		last unless is_word($self->peek, 'elif');
		$self->next;
	}
	if (is_word($self->peek, 'else')) {
		$self->next;
		$self->parse_list({ fi => 1 });
	}
	$self->expect('fi');
	return { name => 'if', kind => 'if', ends_in_exit => 0 };
}

sub parse_for {
	my $self = shift;
	my $line = $self->next->{line};
	$self->next;	# the variable
	$self->skip_newlines;
	if (is_word($self->peek, 'in')) {
		while (my $t = $self->next) {
			last if $t->{kind} eq 'nl' || is_op($t, ';');
		}
	} elsif (is_op($self->peek, ';')) {
		$self->next;
	}
	return $self->parse_loop_body($line, 'for');
}

sub parse_while {
	my $self = shift;
	my $t = $self->next;
	$self->parse_list({ do => 1 });
	return $self->parse_loop_body($t->{line}, $t->{t});
}

sub parse_loop_body {
	my ($self, $line, $kw) = @_;
	$self->skip_newlines;
	$self->expect('do') or return { name => $kw, kind => 'loop', ends_in_exit => 0 };
	my $items = $self->parse_list({ done => 1 });
	$self->expect('done');
	# The loop's status is that of its last command in its last round:
	# each round must stop the test itself when it fails.
	my $last = $items->[-1];
	my $lastcmd = $last ? $last->{pipes}[-1] : undef;
	unless ($last && ($last->{ends_in_exit} ||
			  (@{$last->{pipes}} == 1 && $lastcmd->{kind} =~ /^(?:if|case)$/ && $lastcmd->{has_exit}))) {
		$self->problem($last ? $last->{last_line} : $line,
			"$kw loop body does not end in '|| exit 1'");
	}
	return { name => $kw, kind => 'loop', ends_in_exit => 0 };
}

sub parse_case {
	my $self = shift;
	$self->next;
	$self->next;	# the subject
	$self->skip_newlines;
	$self->expect('in');
	while (1) {
		$self->skip_newlines;
		my $t = $self->peek;
		last if !$t || is_word($t, 'esac');
		$self->next if is_op($t, '(');
		while (my $p = $self->next) {
			last if is_op($p, ')');
		}
		$self->parse_list({ ';;' => 1, esac => 1 });
		$self->next if is_op($self->peek, ';;');
	}
	$self->expect('esac');
	return { name => 'case', kind => 'case', ends_in_exit => 0 };
}

# ---- Scripts: find the test bodies and check each ------------------------

package main;

# The value of a shell word, quotes removed (parameters stay as written).
# A backslash-newline is kept so that line numbers still match.
sub unwrap {
	my $w = shift;
	my $out = '';
	pos($w) = 0;
	while (pos($w) < length($w)) {
		if ($w =~ /\G'([^']*)'?/gc) { $out .= $1; next }
		if ($w =~ /\G"((?:[^"\\]|\\.)*)"?/sgc) {
			my $d = $1;
			$d =~ s/\\([\$`"\\])/$1/g;
			$out .= $d;
			next;
		}
		if ($w =~ /\G\\(\n)/gc) { $out .= "\\\n"; next }
		if ($w =~ /\G\\(.)/sgc) { $out .= $1; next }
		if ($w =~ /\G([^'"\\]+)/gc) { $out .= $1; next }
		$out .= substr($w, pos($w), 1);
		pos($w)++;
	}
	return $out;
}

my $found = 0;

sub report {
	my ($file, $lines, $line, $msg) = @_;
	my $text = $lines->[$line - 1] // '';
	$text =~ s/^\s+//;
	print "$file:$line: $msg: $text\n";
	$found++;
}

sub lint_body {
	my ($file, $lines, $body, $first_line) = @_;
	my $p = Parser->new($body);
	$p->parse_list({});
	if (my $t = $p->peek) {
		$p->problem($t->{line}, "unexpected '$t->{t}'");
	}
	my %seen;
	for (sort { $a->[0] <=> $b->[0] } @{$p->{problems}}, @{$p->{lex}{errors}}) {
		my $line = $first_line + $_->[0] - 1;
		next if $seen{"$line $_->[1]"}++;
		report($file, $lines, $line, $_->[1]);
	}
}

sub lint_file {
	my $file = shift;
	open(my $fh, '<', $file) or die "chainlint: $file: $!\n";
	my $text = do { local $/; <$fh> };
	close $fh;
	my @lines = split /\n/, $text, -1;
	my $lex = Lexer->new($text);
	while (defined(my $t = $lex->next_token)) {
		next unless $t->{kind} eq 'word' && $t->{t} eq 'test_expect_success';
		my @args;
		while (defined(my $a = $lex->next_token)) {
			last unless $a->{kind} eq 'word';
			push @args, $a;
		}
		if (@args < 2 || @args > 3) {
			report($file, \@lines, $t->{line}, "test_expect_success wants [PREREQ] TITLE BODY");
			next;
		}
		lint_body($file, \@lines, unwrap($args[-1]{t}), $args[-1]{line});
	}
	report($file, \@lines, $_->[0], $_->[1]) for @{$lex->{errors}};
}

die "usage: chainlint.pl SCRIPT...\n" unless @ARGV;
lint_file($_) for @ARGV;
exit($found ? 1 : 0);
