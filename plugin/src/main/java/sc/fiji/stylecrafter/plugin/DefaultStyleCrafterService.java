package sc.fiji.stylecrafter.plugin;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.prefs.PrefService;
import org.scijava.service.AbstractService;
import org.scijava.service.Service;

import ai.djl.Device;

import sc.fiji.stylecrafter.pipeline.Precision;
import sc.fiji.stylecrafter.pipeline.StyleCrafterModel;

/** Default {@link StyleCrafterService}. */
@Plugin(type = Service.class)
public class DefaultStyleCrafterService extends AbstractService implements StyleCrafterService {

	static final String FOLDER_KEY = "modelFolder";

	@Parameter
	private PrefService prefs;

	@Parameter(required = false)
	private LogService log;

	private StyleCrafterModel model;
	private String loadedKey;

	@Override
	public Path modelFolder() {
		String p = prefs.get(StyleCrafterService.class, FOLDER_KEY, null);
		return p == null || p.isBlank() ? null : Path.of(p);
	}

	@Override
	public void setModelFolder(Path folder) {
		prefs.put(StyleCrafterService.class, FOLDER_KEY, folder == null ? "" : folder.toAbsolutePath().toString());
	}

	@Override
	public List<String> checkModelFolder(Path folder) {
		return StyleCrafterModel.check(folder);
	}

	@Override
	public synchronized StyleCrafterModel model(Path folder, String device, Precision precision) throws IOException {
		Device d = StyleCrafterModel.device(device);
		String key = folder.toAbsolutePath().normalize() + "|" + d + "|" + precision;
		if (model != null && key.equals(loadedKey)) return model;
		unload();
		if (log != null) log.info("StyleCrafter: loading the model from " + folder + " on " + d + " (" + precision.label() + ")");
		model = StyleCrafterModel.load(folder, d, precision);
		loadedKey = key;
		return model;
	}

	@Override
	public synchronized void unload() {
		if (model != null) {
			model.close();
			model = null;
			loadedKey = null;
		}
	}

	@Override
	public void dispose() {
		unload();
	}
}
