"""The adapter toolkit: what benchmark adapters compose instead of copying.

- `sources.Sources`: `--data` dispatch (synthetic, local copy, Hub) with the same errors;
- `media.ImageFolder`, `media.file_media`: image files by name, with their read state;
- `hub`: Hugging Face Hub splits and local save_to_disk/parquet copies, image cells;
- `files`: JSON and JSON Lines files with errors naming the file and line;
- `readers`: yes/no, option letter, rating and JSON-list readers;
- `prompts`: multiple-choice layouts;
- `choice`: multiple-choice protocols (letter read, or option log-likelihood) and accuracy;
- `pairwise`: judging against a reference in one or both orders, win/tie/loss and position
  consistency;
- `shapes`: synthetic scenes of coloured shapes with exact ground truth;
- `build.build_once`: cached, crash-safe generated folders.
"""
