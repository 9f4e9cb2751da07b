/**
 * The shell side of `hsm completion` (docs/user-guide.md "Shell completion"): each script hands the words typed
 * so far to `hsm completion complete -- WORD…` (the last one possibly empty) and offers what it prints, one
 * candidate a line; `:files` / `:dirs` as the only line mean "complete paths". All knowledge of commands, flags
 * and names stays in hsm (commands/completion.ts), so the three scripts cannot drift from the command table.
 */

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const BASH = `# hsm completion for bash. Load it with:  eval "$(hsm completion bash)"  (e.g. in ~/.bashrc)
_hsm_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" IFS=$'\\n'
  local -a out
  out=($(command hsm completion complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
  case "\${out[0]}" in
    :files) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null ;;
    :dirs) COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null ;;
    *) COMPREPLY=($(compgen -W "\${out[*]}" -- "$cur")) ;;
  esac
}
complete -F _hsm_complete hsm
`;

const ZSH = `#compdef hsm
# hsm completion for zsh. Load it with:  source <(hsm completion zsh)  after compinit (e.g. in ~/.zshrc),
# or save it as _hsm in a folder of $fpath.
_hsm() {
  local -a out
  out=("\${(@f)$(command hsm completion complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  case "\${out[1]}" in
    :files) _files ;;
    :dirs) _files -/ ;;
    *) compadd -- "\${(@)out:#}" ;;
  esac
}
if [ "\${funcstack[1]}" = "_hsm" ]; then
  _hsm "$@"
else
  compdef _hsm hsm
fi
`;

const FISH = `# hsm completion for fish. Load it with:  hsm completion fish | source
# (or save it as ~/.config/fish/completions/hsm.fish)
function __hsm_complete
    set -l words (commandline -opc)
    set -e words[1]
    set -l cur (commandline -ct)
    set -l out (command hsm completion complete -- $words "$cur" 2>/dev/null)
    switch "$out[1]"
        case :files
            __fish_complete_path "$cur"
        case :dirs
            __fish_complete_directories "$cur"
        case '*'
            printf '%s\\n' $out
    end
end
complete -c hsm -f -a '(__hsm_complete)'
`;

export function completionScript(shell: Shell): string {
  return { bash: BASH, zsh: ZSH, fish: FISH }[shell];
}
