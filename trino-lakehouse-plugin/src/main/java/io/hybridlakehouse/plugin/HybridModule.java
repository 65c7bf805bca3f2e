package io.hybridlakehouse.plugin;

import com.google.inject.Binder;
import com.google.inject.Scopes;
import io.airlift.configuration.AbstractConfigurationAwareModule;

import static io.airlift.configuration.ConfigBinder.configBinder;

public class HybridModule
        extends AbstractConfigurationAwareModule
{
    @Override
    protected void setup(Binder binder)
    {
        configBinder(binder).bindConfig(HybridConfig.class);
        binder.bind(HybridConnector.class).in(Scopes.SINGLETON);
    }
}
