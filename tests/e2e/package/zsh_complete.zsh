# Asks the zsh completion function for the candidates at the last word, outside an interactive
# shell: zsh's completion builtins only work inside the completion widget, so compadd,
# _describe, _arguments and _files are replaced by stubs (named so here) that print what they
# are given. Usage: zsh -f zsh_complete.zsh PATH/_tocsin WORD... (the last word is the cursor's)
compadd() { print -l -- "${@:#--}" }          # stub
_describe() { print -l -- ${(P)2} }            # stub: the "name:description" array it is given
_arguments() { print -l -- "$@" }              # stub: the option specs
_files() { }                                   # stub
words=(tocsin); CURRENT=1; { source "$1" } >/dev/null 2>&1   # the file defines _tocsin (and calls it once)
shift
words=("$@"); CURRENT=$#
_tocsin
