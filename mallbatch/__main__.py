from mallbatch.cli import main

main()
