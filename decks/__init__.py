"""The decks shipped with flashcards (installed as the package ``flashcards.shipped_decks``)."""
