mode=$1 repo=$2 dest=$3 kind=$4 name=$5 target=$6 depth=$7 force=$8
if [ "$mode" = clone ]; then
  if [ "$kind" = commit ]; then git clone ${depth:+--depth "$depth"} -- "$repo" "$dest" || exit
  else git clone ${depth:+--depth "$depth"} --branch "$name" -- "$repo" "$dest" || exit; fi
else
  git -C "$dest" fetch --tags ${depth:+--depth "$depth"} -- "$repo" "+refs/heads/*:refs/remotes/origin/*" || exit
fi
if [ "$kind" = commit ] && ! git -C "$dest" cat-file -e "$target^{commit}" 2>/dev/null; then git -C "$dest" fetch ${depth:+--depth "$depth"} -- "$repo" "$target" || exit; fi
if [ "$kind" = branch ]; then git -C "$dest" checkout -q ${force:+--force} -B "$name" "$target" || exit
else git -C "$dest" checkout -q ${force:+--force} --detach "$target" || exit; fi
git -C "$dest" rev-parse HEAD
