from hedgec.cli.main import entry

entry()
