from cityloop.cli import main

main()
