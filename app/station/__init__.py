"""Field-station side of sync: push local surveys and photos upstream, pull reviewers' changes."""
