package sc.fiji.stylecrafter.plugin;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.scijava.service.SciJavaService;

import sc.fiji.stylecrafter.pipeline.Precision;
import sc.fiji.stylecrafter.pipeline.StyleCrafterModel;

/**
 * Keeps the StyleCrafter model loaded between commands, once per (folder, device, precision), and remembers the model
 * folder as a preference. The model is closed when the context is disposed or another one is asked for.
 */
public interface StyleCrafterService extends SciJavaService {

	/** The model folder the user chose, or {@code null}. */
	Path modelFolder();

	void setModelFolder(Path folder);

	/** Problems that keep a folder from being used, one line each; empty if it is fine. */
	List<String> checkModelFolder(Path folder);

	/** The loaded model, loading (and replacing the previous one) if needed. */
	StyleCrafterModel model(Path folder, String device, Precision precision) throws IOException;

	/** Drops the loaded model and frees its memory. */
	void unload();
}
