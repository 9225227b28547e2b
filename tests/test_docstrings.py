"""Every public estimator says the same thing in its signature, its docstring and
its parameter validation: the ``__init__`` signature (keyword-only, each
parameter's default), the numpydoc Parameters section (the same names in the
same order, each with its type, the default the signature has, and a
description), ``_parameter_constraints`` (the same names) and ``get_params``.
The docstrings are complete (Attributes, See Also, Examples) and their Examples
run and print what they show.
"""
import ast
import doctest
import inspect
import re
import warnings

import pytest
from sklearn.base import BaseEstimator

import rnnsk
from rnnsk._docstrings import numpydoc_sections
from rnnsk._parameters import store_parameters

ESTIMATORS = [getattr(rnnsk, name) for name in rnnsk.__all__
              if isinstance(getattr(rnnsk, name), type)
              and issubclass(getattr(rnnsk, name), BaseEstimator)]
NAMED = {rnnsk.RecurrentClassifier: [rnnsk.LSTMClassifier, rnnsk.GRUClassifier,
                                     rnnsk.RNNClassifier],
         rnnsk.RecurrentRegressor: [rnnsk.LSTMRegressor, rnnsk.GRURegressor,
                                    rnnsk.RNNRegressor]}
SECTION = re.compile(r"^(\w[\w ]*)\n-+$", re.M)


def init_parameters(cls):
    return list(inspect.signature(cls.__init__).parameters.values())[1:]


def sections(cls):
    """The numpydoc sections of the class docstring: title -> text."""
    doc = inspect.cleandoc(cls.__doc__)
    titles = list(SECTION.finditer(doc))
    return {title.group(1): doc[title.end():following.start() if following else None]
            for title, following in zip(titles, titles[1:] + [None])}


def documented(section):
    """(name, type line, description) of every entry of a Parameters or
    Attributes section."""
    entries = re.findall(r"^(\S[^\n]*)(?:\n|$)((?:[ \t]+\S[^\n]*\n?)*)", section.strip("\n"), re.M)
    parsed = []
    for heading, description in entries:
        name, _, kind = heading.partition(" : ")
        parsed.append((name, kind, description.strip()))
    return parsed


def stated_default(kind):
    """The value after ``default=`` in a type line (literals, possibly as
    ``literal``)."""
    match = re.search(r"default=(.*)$", kind)
    assert match, f"no default= in {kind!r}"
    return ast.literal_eval(match.group(1).strip("`"))


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_signature_docstring_and_constraints_agree(cls):
    parameters = init_parameters(cls)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters), \
        "parameters must be keyword-only, without *args or **kwargs"
    names = [p.name for p in parameters]

    entries = documented(sections(cls)["Parameters"])
    assert [name for name, _, _ in entries] == names, "docstring Parameters != signature"
    for parameter, (name, kind, description) in zip(parameters, entries):
        stated = stated_default(kind)
        assert (type(stated), stated) == (type(parameter.default), parameter.default), \
            f"{name}: the docstring says default={stated!r}, the signature {parameter.default!r}"
        assert kind.split(", default=")[0].strip(), f"{name} has no type"
        assert description, f"{name} has no description"

    assert set(cls._parameter_constraints) == set(names)
    assert cls().get_params(deep=False) == {p.name: p.default for p in parameters}


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_docstring_is_complete(cls):
    found = sections(cls)
    assert {"Parameters", "Attributes", "See Also", "Examples"} <= set(found)
    attributes = documented(found["Attributes"])
    assert attributes and all(name.endswith("_") and kind and description
                              for name, kind, description in attributes), attributes
    assert ">>>" in found["Examples"]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_numpydoc_reads_the_docstring(cls):
    docscrape = pytest.importorskip("numpydoc.docscrape")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpydoc warns of what it cannot read
        parsed = docscrape.NumpyDocString(cls.__doc__)
    assert [p.name for p in parsed["Parameters"]] == [p.name for p in init_parameters(cls)]


@pytest.mark.parametrize("generic", NAMED, ids=lambda cls: cls.__name__)
def test_named_classes_are_the_generic_estimator_without_cell(generic):
    expected = [(p.name, p.default) for p in init_parameters(generic) if p.name != "cell"]
    for named in NAMED[generic]:
        assert [(p.name, p.default) for p in init_parameters(named)] == expected
        assert issubclass(named, generic)
        assert named().cell in ("lstm", "gru", "rnn_tanh")
        with pytest.raises(ValueError, match="Invalid parameter 'cell'"):
            named().set_params(cell="gru")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_docstring_examples_run(cls):
    (test,) = doctest.DocTestFinder(recurse=False).find(cls, cls.__name__, globs={})
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    report = []
    result = runner.run(test, out=report.append)
    assert result.attempted > 0
    assert result.failed == 0, "".join(report)


# The decorator writing the sections --------------------------------------

def test_numpydoc_writes_every_parameter_with_the_signature_default():
    @numpydoc_sections(attributes=("n_iter_",), token_pattern=("str", "Own description."))
    class Estimator(BaseEstimator):
        """Summary.

        Parameters
        ----------
        {parameters}

        Attributes
        ----------
        {attributes}
        """

        def __init__(self, *, tol=0.5, token_pattern=r"\w+"):
            store_parameters(self, locals())

    entries = documented(sections(Estimator)["Parameters"])
    assert [(name, stated_default(kind)) for name, kind, _ in entries] == [
        ("tol", 0.5), ("token_pattern", r"\w+")]
    assert " ".join(entries[0][2].split()) == rnnsk._docstrings.PARAMETERS["tol"][1]
    assert entries[1][2] == "Own description."
    assert "default=``'\\\\w+'``" in Estimator.__doc__  # a backslash stays a literal
    assert documented(sections(Estimator)["Attributes"])[0][0] == "n_iter_"
    assert vars(Estimator()) == {"tol": 0.5, "token_pattern": r"\w+"}


def test_numpydoc_refuses_an_undescribed_parameter_or_a_missing_section():
    class Undescribed(BaseEstimator):
        """Summary.

        Parameters
        ----------
        {parameters}
        """

        def __init__(self, *, no_such_parameter=1):
            store_parameters(self, locals())

    with pytest.raises(KeyError, match="no_such_parameter"):
        numpydoc_sections()(Undescribed)

    class WithoutSection(BaseEstimator):
        """Summary."""

        def __init__(self, *, tol=1.0):
            store_parameters(self, locals())

    with pytest.raises(ValueError, match="has no line '{parameters}'"):
        numpydoc_sections()(WithoutSection)
