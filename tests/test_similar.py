from flashcards.similar import NEAR_DUPLICATE, normalise, similarity, words


def test_normalise_folds_case_accents_and_punctuation():
    assert normalise("Café — “Weights”, the MODEL's!") == "cafe weights the model s"


def test_words_drop_function_words():
    assert words("The weights of the model") == {"weights", "model"}


def test_identical_and_disjoint():
    assert similarity("Fine-tuning adjusts weights", "fine tuning adjusts WEIGHTS.") == 1.0
    assert similarity("tokens in, tokens out", "a trust store of federated IdPs") == 0.0


def test_shortened_copy_counts_as_near_duplicate():
    key = "The base schema ships with standard attributes every tenant gets"
    cut = "base schema ships with standard attributes"
    assert similarity(key, cut) >= NEAR_DUPLICATE


def test_short_texts_need_more_than_containment():
    # "pre-training" is inside the longer text, but one shared word of two is not a duplicate
    assert similarity("Pre-training", "Pre-training builds the base model from scratch") < NEAR_DUPLICATE


def test_different_definitions_stay_apart():
    a = "Building a foundation model from scratch by training on internet-scale text"
    b = "Running a trained model to produce outputs from new inputs"
    assert similarity(a, b) < 0.3
