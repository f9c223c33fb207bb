# med-aps on the official Odoo 19 image: adds OR-Tools and the scheduling engine
# (med_aps_engine), the OCA addons listed in odoo-addons.txt and the med-aps addons.
# Used by docker-compose.yml; see README.md ("Run it").
FROM odoo:19.0

USER root

# The image runs Odoo with the distribution's Python: pip needs --break-system-packages.
WORKDIR /usr/local/src/med-aps
COPY pyproject.toml README.md odoo-addons.txt ./
COPY med_aps_engine ./med_aps_engine
RUN python3 -m pip install --no-cache-dir --break-system-packages . \
    && oca_addons="$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' odoo-addons.txt)" \
    && if [ -n "$oca_addons" ]; then \
        python3 -m pip install --no-cache-dir --break-system-packages --no-deps $oca_addons; \
    fi \
    && python3 -c "import ortools, med_aps_engine"

COPY --chown=odoo:odoo addons/ /mnt/extra-addons/
COPY --chmod=755 docker/entrypoint.sh /usr/local/bin/med-aps-entrypoint.sh
COPY --chmod=755 docker/odoo-conf.sh /usr/local/bin/med-aps-odoo-conf.sh

USER odoo
WORKDIR /var/lib/odoo
ENTRYPOINT ["/usr/local/bin/med-aps-entrypoint.sh"]
CMD ["odoo"]
