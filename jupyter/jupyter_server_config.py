"""JupyterLab as ``make lab`` starts it: notebooks saved without outputs, nothing fetched.

``make lab`` passes this file with ``--config``; to use it yourself::

    jupyter lab notebooks/ --config jupyter/jupyter_server_config.py

- Every notebook this server saves (autosave included) is written without outputs, execution
  counts, widget state, papermill's record of the parameters or the running kernel's details:
  run a stage notebook on client data and the file on disk still holds only the code and prose,
  byte for byte as stored in git (the named follow-up list, scores and comments stay in the
  browser tab). Keep an executed copy with ``kit report`` (the
  pack's ``notebooks/`` folder) or File > Download, outside the repository.
- No news feed, no update check, and an extension manager that cannot install or search
  (``readonly``): JupyterLab asks nothing of the internet.
"""

#: Notebook metadata that can carry client data: widget state, papermill's parameters.
STRIPPED_METADATA = ("widgets", "papermill")
#: Cell metadata written by running a cell (timings, papermill's status).
STRIPPED_CELL_METADATA = ("execution", "papermill", "collapsed", "scrolled")


def strip_outputs(model: dict, **kwargs) -> None:
    """``FileContentsManager.pre_save_hook``: empty a notebook of what running it produced,
    in place, before it is written (other files are left as they are)."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    notebook = model["content"]
    metadata = notebook.get("metadata", {})
    for key in STRIPPED_METADATA:
        metadata.pop(key, None)
    if isinstance(metadata.get("language_info"), dict):  # the running kernel's details
        metadata["language_info"] = {"name": metadata["language_info"].get("name", "python")}
    for cell in notebook.get("cells", []):
        for key in STRIPPED_CELL_METADATA:
            cell.get("metadata", {}).pop(key, None)
        if cell.get("metadata", {}).get("tags") == []:  # left by papermill and the tag editor
            del cell["metadata"]["tags"]
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None


if "get_config" in globals():  # read by Jupyter (imported by the tests, it only defines)
    c = get_config()  # noqa: F821
    c.FileContentsManager.pre_save_hook = strip_outputs
    c.LabApp.news_url = None
    c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
    c.LabApp.extension_manager = "readonly"
    c.ServerApp.ip = "127.0.0.1"
