from tutor.cli.main import run

run()
